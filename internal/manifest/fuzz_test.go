package manifest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad: arbitrary bytes never panic, and whatever loads as some kind
// formats to a fixed point that loads again.
func FuzzLoad(f *testing.F) {
	seeds := []string{
		"", "{}", "[]", "null", `{"apps": null}`, `{"apps": [], "apps": []}`,
		`{"$schema": "x", "apps": [{"id": "org.a.A", "scope": "user"}, {"id": "ORG.a.a"}]}`,
		`{"extensions": ["a@b", {"uuid": "c@d", "enabled": false}, {"uuid": "e@f", "enabled": true}]}`,
		`{"settings": [{"schema": "org.x", "key": "k", "value": "'<&>'", "comment": "\u2028 \ud800"}]}`,
		`{"packages": ["b", "A"], "groups": [], "excluded": ["c"]}`,
		`{"container": "dev", "image": "img:1", "packages": [], "groups": ["g"], "coprs": ["a/b"]}`,
		"{\"shims\": [{\"name\": \"a\", \"host\": \"b\"}]} x",
		"{\"apps\": [{\"id\": \"org.a.A\",}]}",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	if files, _ := filepath.Glob("testdata/seed/manifests/*.json"); len(files) > 0 {
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, k := range Kinds() {
			d := k.New("fuzz")
			if err := decode(RelPath(d), data, d); err != nil {
				continue
			}
			first, err := Format(d)
			if err != nil {
				t.Fatalf("%s: Format: %v", d.Name(), err)
			}
			again := k.New("fuzz")
			if err := decode(RelPath(d), first, again); err != nil {
				t.Fatalf("%s: canonical output does not load: %v\n%s", d.Name(), err, first)
			}
			second, err := Format(again)
			if err != nil {
				t.Fatalf("%s: Format: %v", d.Name(), err)
			}
			if !bytes.Equal(first, second) {
				t.Fatalf("%s: not a fixed point:\n%s\nvs\n%s", d.Name(), first, second)
			}
		}
	})
}
