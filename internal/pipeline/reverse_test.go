package pipeline

import "testing"

func TestReversesAny(t *testing.T) {
	ch := func(domain, action string, ids ...string) Change {
		return Change{Domain: domain, Action: action, IDs: ids}
	}
	carried := []Change{
		ch("flatpak", "add", "a", "b"),
		ch("dnf", "copr-enable", "atim/starship"),
		ch("gsetting", "set", "org.x k"),
	}
	for _, tc := range []struct {
		change Change
		want   bool
	}{
		{ch("flatpak", "remove", "b"), true},
		{ch("flatpak", "remove", "c"), false},
		{ch("flatpak", "add", "a"), false},
		{ch("shim", "remove", "a"), false},
		{ch("dnf", "copr-disable", "atim/starship"), true},
		{ch("dnf", "remove", "atim/starship"), false}, // another action family
		{ch("gsetting", "reset", "org.x k"), true},
	} {
		if got := reversesAny(carried, []Change{tc.change}); got != tc.want {
			t.Errorf("%s %s %v: reverses = %v, want %v", tc.change.Domain, tc.change.Action, tc.change.IDs, got, tc.want)
		}
	}
}
