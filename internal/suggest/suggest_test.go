package suggest

import (
	"slices"
	"testing"
)

func TestClosest(t *testing.T) {
	apps := []string{"org.example.App", "org.example.Other", "org.gnome.Boxes", "org.gnome.Nautilus", "com.slack.Slack"}
	cases := []struct {
		in   string
		want []string
	}{
		{"org.example.Appp", []string{"org.example.App"}},
		{"org.gnome.boxes", []string{"org.gnome.Boxes"}},
		{"Boxes", []string{"org.gnome.Boxes"}},
		{"zzzzzz", nil},
	}
	for _, c := range cases {
		got := Closest(c.in, apps, 3)
		if len(c.want) == 0 {
			if len(got) != 0 {
				t.Errorf("Closest(%q) = %v, want none", c.in, got)
			}
			continue
		}
		if len(got) == 0 || got[0] != c.want[0] {
			t.Errorf("Closest(%q) = %v, want first %q", c.in, got, c.want[0])
		}
	}
}

func TestClosestLimitAndDedup(t *testing.T) {
	got := Closest("abc", []string{"abd", "abd", "abe", "abf", "abg"}, 2)
	if len(got) != 2 || slices.Contains(got[1:], got[0]) {
		t.Fatalf("got %v, want 2 distinct", got)
	}
}

func TestDistance(t *testing.T) {
	if d := distance("kitten", "sitting"); d != 3 {
		t.Fatalf("distance = %d, want 3", d)
	}
}
