package oci

import "testing"

func TestCompare(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1.0-1", "1.0-1", 0},
		{"1.0-1", "1.0-2", -1},
		{"1.10-1", "1.9-1", 1},
		{"1.0~rc1-1", "1.0-1", -1},
		{"1.0^git1-1", "1.0-1", 1},
		{"1.0^git1-1", "1.0.1-1", -1},
		{"1:1.0-1", "2.0-1", 1},
		{"1.0a-1", "1.0-1", 1},
		{"1.0a-1", "1.0.1-1", -1},
		{"2.0.01-1", "2.0.1-1", 0},
		{"5.2.26-1.fc41", "5.2.26-1.fc40", 1},
		{"3.4.0-1.fc41", "3.3.0-1.fc41", 1},
		{"1.0_1-1", "1.0.1-1", 0},
	} {
		if got := Compare(c.a, c.b); got != c.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Compare(c.b, c.a); got != -c.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", c.b, c.a, got, -c.want)
		}
	}
}

func TestDiff(t *testing.T) {
	old := []Package{{Name: "a", Version: "1", Release: "1", Arch: "noarch"}, {Name: "b", Version: "2", Release: "1", Arch: "x86_64"}, {Name: "c", Version: "3", Release: "1", Arch: "noarch"}, {Name: "d", Version: "1", Release: "1", Arch: "noarch"}}
	new := []Package{{Name: "b", Version: "2.1", Release: "1", Arch: "x86_64"}, {Name: "c", Version: "2", Release: "9", Arch: "noarch"}, {Name: "d", Version: "1", Release: "1", Arch: "noarch"}, {Name: "e", Epoch: 1, Version: "1", Release: "1", Arch: "noarch"}}
	got := Diff(old, new)
	want := []Change{
		{Name: "a", Arch: "noarch", Kind: "removed", Old: "1-1"},
		{Name: "b", Arch: "x86_64", Kind: "upgraded", Old: "2-1", New: "2.1-1"},
		{Name: "c", Arch: "noarch", Kind: "downgraded", Old: "3-1", New: "2-9"},
		{Name: "e", Arch: "noarch", Kind: "added", New: "1:1-1"},
	}
	if len(got) != len(want) {
		t.Fatalf("Diff = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Diff[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}
