package containerfile

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
)

// FuzzParse: parsing never panics; a parsed file renders back to its exact
// bytes; generated bodies give a file that parses to the same sections and
// user text (a fixed point); and Sync never loses a byte outside the
// markers, whatever it is given.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", sample, hostTemplate, toolboxTemplate,
		strings.ReplaceAll(hostTemplate, "\n", "\r\n"),
		strings.TrimSuffix(hostTemplate, "\n"),
		"FROM x\n# === BKT (managed by bkt) ===\n",
		"# === END BKT ===\n",
		"# === A (managed by bkt) ===\n# === B (managed by bkt) ===\n",
		"FROM x\n# === BKT (managed by bkt) ===\n# === END BKT ===\n# === BKT (managed by bkt) ===\n# === END BKT ===\n",
		"from \\\n  x\n# === SYSTEM PACKAGES (managed by bkt) === \n",
		"FROM a\nFROM b\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(HostFile, data)
		if err != nil {
			if fail.CodeOf(err) != fail.Validation || !strings.HasPrefix(err.Error(), HostFile+":") {
				t.Fatalf("parse error without code 5 and a line: %v", err)
			}
			return
		}
		if !bytes.Equal(file.Bytes(), data) {
			t.Fatalf("round trip changed the input")
		}

		for _, s := range file.Sections() {
			file.SetBody(s.Name, []string{"RUN dnf install -y \\", "        x \\", "    && dnf clean all"})
		}
		out := file.Bytes()
		again, err := Parse(HostFile, out)
		if err != nil {
			t.Fatalf("generated bodies broke the file: %v", err)
		}
		if !bytes.Equal(again.Bytes(), out) || !sameText(again.userText(), file.userText()) ||
			!slices.Equal(names(again), names(file)) {
			t.Fatalf("render -> parse is not a fixed point")
		}

		fuzzSync(t, data, file.userText())
	})
}

func fuzzSync(t *testing.T, data []byte, userText [][]byte) {
	root := repoWith(t, map[string]string{HostFile: string(data), "manifests/system-packages.json": systemJSON})
	for _, addMissing := range []bool{false, true} {
		before := read(t, root, HostFile)
		_, err := Sync(root, SyncOptions{AddMissing: addMissing}, true)
		after := read(t, root, HostFile)
		if err != nil {
			if before != after {
				t.Fatalf("failed Sync (add-missing %v) changed the file: %v", addMissing, err)
			}
			continue
		}
		synced, err := Parse(HostFile, []byte(after))
		if err != nil {
			t.Fatalf("Sync wrote a file that does not parse: %v", err)
		}
		if !addMissing && !sameText(synced.userText(), userText) {
			t.Fatalf("Sync changed the user's text")
		}
		if addMissing && !isSubsequence(bytes.Join(userText, nil), bytes.Join(synced.userText(), nil)) {
			t.Fatalf("Sync --add-missing lost some of the user's text")
		}
		// Whatever Sync wrote is current.
		diffs, err := Check(root)
		if err != nil {
			t.Fatalf("Check after Sync: %v", err)
		}
		if diffs[0].Changed {
			t.Fatalf("Check after Sync reports a change:\n%s", diffs[0].Diff)
		}
	}
}

func names(f *File) []string {
	var out []string
	for _, s := range f.Sections() {
		out = append(out, s.Name)
	}
	return out
}

func sameText(a, b [][]byte) bool {
	return slices.EqualFunc(a, b, bytes.Equal)
}

// isSubsequence reports whether every byte of a appears in b, in order.
func isSubsequence(a, b []byte) bool {
	i := 0
	for _, c := range b {
		if i < len(a) && a[i] == c {
			i++
		}
	}
	return i == len(a)
}
