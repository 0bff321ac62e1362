package dnf

import (
	"strings"
	"testing"
)

// ParsePackages never panics and returns only complete packages.
func FuzzParsePackages(f *testing.F) {
	for _, name := range []string{"repoquery-available.dnf4.out", "repoquery-available.dnf5.out", "repoquery-installed.dnf4.out"} {
		f.Add(string(fixtureBytes(f, name)))
	}
	f.Add("a|b|c|d|e|f\n||||||\n")
	f.Fuzz(func(t *testing.T, in string) {
		pkgs, err := ParsePackages([]byte(in))
		if err != nil {
			return
		}
		for _, p := range pkgs {
			if p.Name == "" || strings.ContainsAny(p.Name, "|\n") {
				t.Fatalf("bad package %+v from %q", p, in)
			}
		}
	})
}

func fixtureBytes(f *testing.F, name string) []byte {
	data, err := readFixture(name)
	if err != nil {
		f.Fatal(err)
	}
	return data
}
