package manifest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestSchemasUseRules is the drift test between the identifier rules and
// the schemas: same pattern, same maxLength, and no pattern without a rule.
func TestSchemasUseRules(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Kinds() {
		d := k.New("x")
		root, _, err := parseTree(Schemas()[schemaFile(d.Name())])
		if err != nil {
			t.Fatal(err)
		}
		walkSchema(root, "", func(ptr string, n *node) {
			key := d.Name() + "#" + ptr
			seen[key] = true
			r, ok := schemaRules[key]
			if !ok {
				t.Errorf("%s has a pattern but no rule in schemaRules", key)
				return
			}
			var pattern string
			pn, _, _ := n.lookup([]string{"pattern"})
			_ = json.Unmarshal(pn.raw, &pattern)
			if pattern != r.Pattern {
				t.Errorf("%s: pattern %q, rule %s has %q", key, pattern, r.What, r.Pattern)
			}
			maxLen := 0
			if ml, _, ok := n.lookup([]string{"maxLength"}); ok {
				_ = json.Unmarshal(ml.raw, &maxLen)
			}
			if maxLen != r.MaxLen {
				t.Errorf("%s: maxLength %d, rule %s has %d", key, maxLen, r.What, r.MaxLen)
			}
		})
	}
	for key := range schemaRules {
		if !seen[key] {
			t.Errorf("%s: no such pattern in the schemas", key)
		}
	}
}

func walkSchema(n *node, ptr string, visit func(string, *node)) {
	switch n.kind {
	case '{':
		for _, m := range n.mems {
			if m.name == "pattern" {
				visit(ptr, n)
			}
			walkSchema(m.val, ptr+"/"+escapePointer(m.name), visit)
		}
	case '[':
		for _, e := range n.elems {
			walkSchema(e, ptr, visit)
		}
	}
}

func TestRuleCheck(t *testing.T) {
	for _, tc := range []struct {
		rule  *Rule
		value string
		want  string // "" = valid, else part of the reason
	}{
		{ShimName, "podman", ""},
		{ShimName, "-h", "starts with '-'"},
		{ShimName, strings.Repeat("a", 300), "300 characters long, over the limit of 255"},
		{ShimName, "a/b", "a command name"},
		{ShimName, "", "empty"},
		{ShimHost, "/usr/bin/podman", ""},
		{ShimHost, "--help", "starts with '-'"},
		{GSchema, "org.gnome.desktop.interface", ""},
		{GSchema, "org.gnome.Terminal.Legacy.Profile:/org/gnome/terminal/legacy/profiles:/:b1dcc9dd/", ""},
		{GSchema, "-h", "option"},
		{GSchema, "--schemadir", "option"},
		{GKey, "gtk-theme", ""},
		{ExtensionUUID, "dash-to-dock@micxgx.gmail.com", ""},
		{ExtensionUUID, "a+b@x", "expected"},
		{ExtensionUUID, "..", "expected"},
		{AppID, "org.mozilla.firefox", ""},
		{AppID, "--help", "option"},
		{PackageName, "htop", ""},
		{PackageName, "--reboot", "option"},
		{GroupID, "Development Tools", "group id"},
		{CoprName, "atim/starship", ""},
		{CoprName, "@group/project", ""},
		{CoprName, "-x/y", "option"},
		{CoprName, "a/-y", "OWNER/PROJECT"},
		{ImageRef, "registry.fedoraproject.org/fedora-toolbox:43", ""},
		{ImageRef, "--privileged", "option"},
		{RemoteURL, "https://dl.flathub.org/repo/", ""},
	} {
		err := tc.rule.Check(tc.value)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s %q: %v", tc.rule.What, tc.value, err)
			}
			continue
		}
		var ie *InvalidError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: %v, want %q", tc.rule.What, tc.value, err, tc.want)
		}
	}
	if msg := ShimName.Check(strings.Repeat("a", 300)).Error(); len(msg) > 200 {
		t.Errorf("an over-long value is not cut in the message: %s", msg)
	}
}
