package containerfile

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
)

// TestMain keeps atomicfile's lock files out of the machine's runtime dir.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "containerfile-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_RUNTIME_DIR", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const sample = `# syntax=docker/dockerfile:1
ARG BASE_IMAGE=quay.io/fedora/fedora-silverblue:42
FROM ${BASE_IMAGE}

# === COPR REPOSITORIES (managed by bkt) ===
RUN dnf -y copr enable atim/starship
# === END COPR REPOSITORIES ===

# === SYSTEM PACKAGES (managed by bkt) ===
# === END SYSTEM PACKAGES ===
RUN echo mine
`

func TestParseSplitsSectionsAndText(t *testing.T) {
	f, err := Parse("Containerfile", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	secs := f.Sections()
	if len(secs) != 2 {
		t.Fatalf("got %d sections, want 2", len(secs))
	}
	copr, sys := secs[0], secs[1]
	if copr.Name != CoprRepositories || copr.StartLine != 5 || copr.EndLine != 7 {
		t.Errorf("first section = %q lines %d-%d, want COPR REPOSITORIES 5-7", copr.Name, copr.StartLine, copr.EndLine)
	}
	if string(copr.body) != "RUN dnf -y copr enable atim/starship\n" {
		t.Errorf("COPR body = %q", copr.body)
	}
	if sys.Name != SystemPackages || sys.StartLine != 9 || sys.EndLine != 10 || len(sys.body) != 0 {
		t.Errorf("second section = %q lines %d-%d body %q", sys.Name, sys.StartLine, sys.EndLine, sys.body)
	}
	text := f.userText()
	want := []string{
		"# syntax=docker/dockerfile:1\nARG BASE_IMAGE=quay.io/fedora/fedora-silverblue:42\nFROM ${BASE_IMAGE}\n\n",
		"\n",
		"RUN echo mine\n",
	}
	if len(text) != len(want) {
		t.Fatalf("user text has %d parts, want %d: %q", len(text), len(want), text)
	}
	for i := range want {
		if string(text[i]) != want[i] {
			t.Errorf("user text %d = %q, want %q", i, text[i], want[i])
		}
	}
	if f.Section("UPSTREAM") != nil {
		t.Error("Section found a section that is not there")
	}
}

func TestParseRoundTripIsByteIdentical(t *testing.T) {
	for name, in := range map[string]string{
		"sample":             sample,
		"empty":              "",
		"no markers":         "FROM x\nRUN y\n",
		"no final newline":   "FROM x\n# === BKT (managed by bkt) ===\nRUN a\n# === END BKT ===",
		"crlf":               strings.ReplaceAll(sample, "\n", "\r\n"),
		"mixed endings":      "FROM x\r\n# === BKT (managed by bkt) ===\nRUN a\r\n# === END BKT ===\r\n\r\n",
		"sections touch":     "# === A (managed by bkt) ===\n# === END A ===\n# === B (managed by bkt) ===\n# === END B ===\n",
		"only a lone cr":     "FROM x\rRUN y\r",
		"trailing blanks":    "FROM x\n\n\n   \n",
		"binary-ish content": "FROM x\n\x00\xff\xfe\n# === BKT (managed by bkt) ===\n\x00\n# === END BKT ===\n\x01",
	} {
		t.Run(name, func(t *testing.T) {
			f, err := Parse("Containerfile", []byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Bytes(); !bytes.Equal(got, []byte(in)) {
				t.Errorf("round trip changed the file:\n got %q\nwant %q", got, in)
			}
		})
	}
}

// Lines that look almost like markers are the user's comments: they are
// neither sections nor errors, and they survive a rewrite unchanged.
func TestAlmostMarkersAreUserText(t *testing.T) {
	almost := []string{
		"# === SYSTEM PACKAGES (managed by bkt) === ",
		" # === SYSTEM PACKAGES (managed by bkt) ===",
		"#=== SYSTEM PACKAGES (managed by bkt) ===",
		"# === SYSTEM PACKAGES (managed by bkt) ==",
		"# === SYSTEM PACKAGES (managed by BKT) ===",
		"# ===  SYSTEM PACKAGES (managed by bkt) ===",
		"# === (managed by bkt) ===",
		"# === END ===",
		"# === END  SYSTEM PACKAGES ===",
		"# === END SYSTEM PACKAGES ===\t",
		"# === My own notes ===",
		"# ======",
		"# === ===",
		"## === END SYSTEM PACKAGES ===",
		"RUN echo '# === END SYSTEM PACKAGES ==='",
		"# === END OF SETUP ===",
		"# === END A ===",
	}
	for _, line := range almost {
		t.Run(line, func(t *testing.T) {
			in := "FROM x\n" + line + "\n# === BKT (managed by bkt) ===\n# === END BKT ===\n" + line + "\n"
			f, err := Parse("Containerfile", []byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Sections()) != 1 {
				t.Fatalf("got %d sections, want 1", len(f.Sections()))
			}
			f.SetBody(BKT, []string{"RUN generated"})
			want := "FROM x\n" + line + "\n# === BKT (managed by bkt) ===\nRUN generated\n# === END BKT ===\n" + line + "\n"
			if got := string(f.Bytes()); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestMarkersWithCRLFAreMarkers(t *testing.T) {
	in := "FROM x\r\n# === BKT (managed by bkt) ===\r\n# === END BKT ===\r\nRUN mine\r\n"
	f, err := Parse("Containerfile", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if !f.SetBody(BKT, []string{"RUN a", "RUN b"}) {
		t.Fatal("no BKT section in a CRLF file")
	}
	want := "FROM x\r\n# === BKT (managed by bkt) ===\r\nRUN a\r\nRUN b\r\n# === END BKT ===\r\nRUN mine\r\n"
	if got := string(f.Bytes()); got != want {
		t.Errorf("generated lines do not follow the file's CRLF:\n got %q\nwant %q", got, want)
	}
}

func TestSetBodyEmptyLeavesMarkersOnly(t *testing.T) {
	f, err := Parse("Containerfile", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	f.SetBody(CoprRepositories, nil)
	if !strings.Contains(string(f.Bytes()), "# === COPR REPOSITORIES (managed by bkt) ===\n# === END COPR REPOSITORIES ===\n") {
		t.Errorf("empty section is not markers only:\n%s", f.Bytes())
	}
	if f.SetBody("UPSTREAM", nil) {
		t.Error("SetBody reported a section that does not exist")
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string // in the headline, detail or next steps
	}{
		{
			name: "unterminated",
			in:   "FROM x\n# === BKT (managed by bkt) ===\nRUN a\n",
			want: []string{"Containerfile:2:", `section "BKT" has no END marker`, `Add the line "# === END BKT ==="`},
		},
		{
			name: "unterminated with a near miss",
			in:   "FROM x\n# === BKT (managed by bkt) ===\nRUN a\n# === END BKT === \n",
			want: []string{"Containerfile:2:", "Line 4 looks like its END marker"},
		},
		{
			name: "duplicate",
			in:   "FROM x\n# === BKT (managed by bkt) ===\n# === END BKT ===\nRUN a\n# === BKT (managed by bkt) ===\n# === END BKT ===\n",
			want: []string{"Containerfile:5:", `section "BKT" appears twice (first at lines 2-3)`, "Delete one of the two"},
		},
		{
			name: "nested",
			in:   "FROM x\n# === A (managed by bkt) ===\n# === B (managed by bkt) ===\n# === END B ===\n# === END A ===\n",
			want: []string{"Containerfile:3:", `section "B" starts inside section "A"`, "Section \"A\" starts at line 2", `before line 3`},
		},
		{
			name: "end without start",
			in:   "FROM x\nRUN a\n# === END SYSTEM PACKAGES ===\n",
			want: []string{"Containerfile:3:", `END marker of section "SYSTEM PACKAGES" without its start marker`, "Delete line 3", "--add-missing"},
		},
		{
			name: "end after end",
			in:   "FROM x\n# === BKT (managed by bkt) ===\n# === END BKT ===\n# === END BKT ===\n",
			want: []string{"Containerfile:4:", "already ended at line 3"},
		},
		{
			name: "mismatched end",
			in:   "FROM x\n# === A (managed by bkt) ===\n# === END BKT ===\n",
			want: []string{"Containerfile:3:", `END marker of section "BKT", but the open section is "A" (line 2)`, `Make line 3 read "# === END A ==="`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("Containerfile", []byte(tc.in))
			if err == nil {
				t.Fatalf("no error; sections %v", f.Sections())
			}
			e := assertCode(t, err, fail.Validation)
			all := e.Message + "\n" + e.Detail + "\n" + strings.Join(e.NextSteps, "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("error lacks %q:\n%s", w, all)
				}
			}
			if last := e.NextSteps[len(e.NextSteps)-1]; last != checkStep {
				t.Errorf("last next step = %q, want %q", last, checkStep)
			}
		})
	}
}

func assertCode(t *testing.T, err error, code fail.Code) *fail.Error {
	t.Helper()
	var e *fail.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *fail.Error", err)
	}
	if e.Code != code {
		t.Fatalf("exit code %d, want %d (%v)", e.Code, code, err)
	}
	if len(e.NextSteps) == 0 {
		t.Errorf("error %q has no next steps", e.Message)
	}
	return e
}
