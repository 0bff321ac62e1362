package containerfile

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/testenv/failtest"
)

// hostTemplate has every host section, empty, and the user's own lines.
const hostTemplate = `# My distribution.
ARG BASE_IMAGE=quay.io/fedora/fedora-silverblue:42
FROM ${BASE_IMAGE}

# === COPR REPOSITORIES (managed by bkt) ===
# === END COPR REPOSITORIES ===

# === SYSTEM PACKAGES (managed by bkt) ===
# === END SYSTEM PACKAGES ===

# === EXCLUDED PACKAGES (managed by bkt) ===
# === END EXCLUDED PACKAGES ===

# === UPSTREAM (managed by bkt) ===
# === END UPSTREAM ===

# === BKT (managed by bkt) ===
# === END BKT ===

RUN bootc container lint
`

const toolboxTemplate = `FROM registry.fedoraproject.org/fedora-toolbox:43

# === COPR REPOSITORIES (managed by bkt) ===
# === END COPR REPOSITORIES ===

# === TOOLBOX PACKAGES (managed by bkt) ===
# === END TOOLBOX PACKAGES ===
`

const (
	systemJSON  = `{"packages": ["vim-enhanced", "htop"], "groups": ["development-tools"], "excluded": ["firefox"]}`
	coprJSON    = `{"coprs": [{"name": "atim/starship"}, {"name": "old/gone", "enabled": false}]}`
	toolboxJSON = `{"packages": ["gcc", "make"], "coprs": ["atim/starship"]}`
)

// repoWith writes files (path relative to the root -> content) into a new
// directory and returns it.
func repoWith(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for rel, content := range files {
		path := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func fullRepo(t *testing.T) string {
	return repoWith(t, map[string]string{
		HostFile:                          hostTemplate,
		ToolboxFile:                       toolboxTemplate,
		"manifests/system-packages.json":  systemJSON,
		"manifests/copr-repos.json":       coprJSON,
		"manifests/toolbox-packages.json": toolboxJSON,
	})
}

// filled is template with the lines of bodies (section name -> lines) in
// its empty sections of those names: what a sync writes.
func filled(template string, bodies map[string]string) string {
	if strings.Contains(template, EndMarker(BKT)) && bodies[BKT] == "" {
		// The BKT section is the same in every host Containerfile.
		bodies = maps.Clone(bodies)
		bodies[BKT] = bktBody
	}
	for name, body := range bodies {
		end := "# === END " + name + " ===\n"
		template = strings.Replace(template, end, body+end, 1)
	}
	return template
}

// pendingAdd is a dry run's edit of doc in root, not written: name added
// to list, one of doc's lists of names.
func pendingAdd(t *testing.T, root string, doc manifest.Doc, list *[]string, name string) manifest.FileDiff {
	t.Helper()
	fd, err := manifest.Edit(root, doc, func() error {
		manifest.AddName(list, name)
		return nil
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	return fd
}

func read(t *testing.T, root, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func byPath(diffs []manifest.FileDiff) map[string]manifest.FileDiff {
	m := map[string]manifest.FileDiff{}
	for _, d := range diffs {
		m[d.Path] = d
	}
	return m
}

// bktBody is the BKT section's text.
var bktBody = strings.Join(bktLines(), "\n") + "\n"

func TestSyncRendersEveryFile(t *testing.T) {
	root := fullRepo(t)
	diffs, err := Sync(root, SyncOptions{}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 2 || !diffs[0].Changed || !diffs[1].Changed {
		t.Fatalf("want two changed files, got %+v", diffs)
	}
	wantHost := filled(hostTemplate, map[string]string{
		"COPR REPOSITORIES": "RUN dnf -y copr enable atim/starship\n",
		"SYSTEM PACKAGES": `RUN dnf install -y \
        htop \
        vim-enhanced \
    && dnf group install -y \
        development-tools \
    && dnf clean all
`,
		"EXCLUDED PACKAGES": `RUN dnf remove -y \
        firefox \
    && dnf clean all
`,
	})
	if got := read(t, root, HostFile); got != wantHost {
		t.Errorf("Containerfile:\n%s\nwant:\n%s", got, wantHost)
	}
	wantToolbox := filled(toolboxTemplate, map[string]string{
		"COPR REPOSITORIES": "RUN dnf -y copr enable atim/starship\n",
		"TOOLBOX PACKAGES": `RUN dnf install -y \
        gcc \
        make \
    && dnf clean all
`,
	})
	if got := read(t, root, ToolboxFile); got != wantToolbox {
		t.Errorf("toolbox/Containerfile:\n%s\nwant:\n%s", got, wantToolbox)
	}
	d := byPath(diffs)[HostFile]
	if !strings.HasPrefix(d.Diff, "--- a/Containerfile\n+++ b/Containerfile\n") || !strings.Contains(d.Diff, "+        htop \\\n") {
		t.Errorf("diff:\n%s", d.Diff)
	}
	if string(d.Before) != hostTemplate || string(d.After) != wantHost {
		t.Error("FileDiff Before/After are not the file's old and new bytes")
	}

	// A second run, and Check, find nothing to do.
	for name, fn := range map[string]func() ([]manifest.FileDiff, error){
		"sync":  func() ([]manifest.FileDiff, error) { return Sync(root, SyncOptions{}, true) },
		"check": func() ([]manifest.FileDiff, error) { return Check(root) },
	} {
		diffs, err := fn()
		if err != nil {
			t.Fatal(name, err)
		}
		for _, d := range diffs {
			if d.Changed || d.Diff != "" {
				t.Errorf("%s after sync: %s changed:\n%s", name, d.Path, d.Diff)
			}
		}
	}
}

func TestCheckAndDryRunWriteNothing(t *testing.T) {
	root := fullRepo(t)
	diffs, err := Check(root)
	if err != nil {
		t.Fatal(err)
	}
	if d := byPath(diffs)[HostFile]; !d.Changed || !strings.Contains(d.Diff, "+RUN dnf -y copr enable atim/starship") {
		t.Errorf("Check did not report the stale host file: %+v", d)
	}
	if _, err := Sync(root, SyncOptions{AddMissing: true}, false); err != nil {
		t.Fatal(err)
	}
	if read(t, root, HostFile) != hostTemplate || read(t, root, ToolboxFile) != toolboxTemplate {
		t.Error("Check or Sync without write changed a file")
	}
}

// A hand edit inside a section is undone; every byte outside the markers,
// including comments that look almost like markers, stays.
func TestSyncKeepsUserTextByteForByte(t *testing.T) {
	in := "# === SYSTEM PACKAGES (managed by bkt) === \r\n" + // trailing blank: a comment
		"ARG X=1\n" +
		"FROM base AS build\n" +
		"RUN make  \t\n" +
		"FROM ${BASE_IMAGE}\n" +
		"\n\n" +
		"# === COPR REPOSITORIES (managed by bkt) ===\n" +
		"RUN something the user typed\n" +
		"# === END COPR REPOSITORIES ===\n" +
		"# === My notes ===\n" +
		"# === SYSTEM PACKAGES (managed by bkt) ===\n" +
		"RUN dnf install -y evil\n" +
		"# === END SYSTEM PACKAGES ===\n" +
		"# === EXCLUDED PACKAGES (managed by bkt) ===\n" +
		"# === END EXCLUDED PACKAGES ===\n" +
		"# === UPSTREAM (managed by bkt) ===\n" +
		"# === END UPSTREAM ===\n" +
		"\tRUN  echo ünïcödé \\\n" +
		"  && true\n" +
		"# === BKT (managed by bkt) ===\n" +
		"RUN stale\n" +
		"# === END BKT ===" // no final newline
	root := repoWith(t, map[string]string{
		HostFile:                         in,
		"manifests/system-packages.json": systemJSON,
	})
	before, err := Parse(HostFile, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Sync(root, SyncOptions{}, true); err != nil {
		t.Fatal(err)
	}
	out := read(t, root, HostFile)
	after, err := Parse(HostFile, []byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(before.userText(), after.userText(), func(a, b []byte) bool { return string(a) == string(b) }) {
		t.Errorf("user text changed:\n before %q\n after  %q", before.userText(), after.userText())
	}
	for _, gone := range []string{"something the user typed", "evil", "RUN stale"} {
		if strings.Contains(out, gone) {
			t.Errorf("hand edit %q survived the sync", gone)
		}
	}
	if !strings.HasSuffix(out, "# === BKT (managed by bkt) ===\n"+bktBody+"# === END BKT ===") {
		t.Errorf("the file's missing final newline was not kept:\n%q", out[len(out)-60:])
	}
}

func TestMissingSectionIsAValidationError(t *testing.T) {
	in := strings.Replace(hostTemplate, "# === SYSTEM PACKAGES (managed by bkt) ===\n# === END SYSTEM PACKAGES ===\n", "", 1)
	root := repoWith(t, map[string]string{HostFile: in})
	for name, fn := range map[string]func() error{
		"sync":  func() error { _, err := Sync(root, SyncOptions{}, true); return err },
		"check": func() error { _, err := Check(root); return err },
	} {
		err := fn()
		if err == nil {
			t.Fatalf("%s: no error for a missing section", name)
		}
		e := assertCode(t, err, fail.Validation)
		if !strings.Contains(e.Message, "Containerfile is missing the SYSTEM PACKAGES section") ||
			!strings.Contains(e.Detail, StartMarker(SystemPackages)) ||
			!strings.Contains(e.NextSteps[0], "bkt containerfile sync --add-missing") {
			t.Errorf("%s: %q / %q / %q", name, e.Message, e.Detail, e.NextSteps)
		}
	}
	if read(t, root, HostFile) != in {
		t.Error("a failed sync changed the file")
	}
}

// --add-missing puts a section after the one that precedes it in the
// canonical order, so COPRs stay enabled before packages are installed.
func TestAddMissingAfterPrecedingSection(t *testing.T) {
	in := strings.Replace(hostTemplate, "# === SYSTEM PACKAGES (managed by bkt) ===\n# === END SYSTEM PACKAGES ===\n", "", 1)
	root := repoWith(t, map[string]string{HostFile: in, "manifests/system-packages.json": `{"packages": ["htop"]}`})
	if _, err := Sync(root, SyncOptions{AddMissing: true}, true); err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(filled(hostTemplate, map[string]string{}), "# === SYSTEM PACKAGES (managed by bkt) ===\n# === END SYSTEM PACKAGES ===\n",
		"# === SYSTEM PACKAGES (managed by bkt) ===\nRUN dnf install -y \\\n        htop \\\n    && dnf clean all\n# === END SYSTEM PACKAGES ===\n\n", 1)
	if got := read(t, root, HostFile); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if diffs, err := Check(root); err != nil || diffs[0].Changed {
		t.Errorf("not current after --add-missing: %v %+v", err, diffs)
	}
}

// With no section at all, they all go after the last FROM (multi-stage
// builds: the final stage), in order, after the FROM's continuation lines.
func TestAddMissingAfterLastFrom(t *testing.T) {
	in := "FROM golang AS build\nRUN go build\n\nfrom \\\n    quay.io/fedora/fedora-silverblue:42\nCOPY --from=build /out /usr/bin/\n"
	root := repoWith(t, map[string]string{HostFile: in, "manifests/copr-repos.json": `{"coprs": [{"name": "atim/starship"}]}`})
	if _, err := Sync(root, SyncOptions{AddMissing: true}, true); err != nil {
		t.Fatal(err)
	}
	want := "FROM golang AS build\nRUN go build\n\nfrom \\\n    quay.io/fedora/fedora-silverblue:42\n" +
		"\n# === COPR REPOSITORIES (managed by bkt) ===\nRUN dnf -y copr enable atim/starship\n# === END COPR REPOSITORIES ===\n" +
		"\n# === SYSTEM PACKAGES (managed by bkt) ===\n# === END SYSTEM PACKAGES ===\n" +
		"\n# === EXCLUDED PACKAGES (managed by bkt) ===\n# === END EXCLUDED PACKAGES ===\n" +
		"\n# === UPSTREAM (managed by bkt) ===\n# === END UPSTREAM ===\n" +
		"\n# === BKT (managed by bkt) ===\n" + bktBody + "# === END BKT ===\n" +
		"\nCOPY --from=build /out /usr/bin/\n"
	if got := read(t, root, HostFile); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestAddMissingFromAtEndOfFile(t *testing.T) {
	root := repoWith(t, map[string]string{ToolboxFile: "FROM fedora-toolbox:43"})
	if _, err := Sync(root, SyncOptions{AddMissing: true, File: ToolboxFile}, true); err != nil {
		t.Fatal(err)
	}
	want := "FROM fedora-toolbox:43\n\n# === COPR REPOSITORIES (managed by bkt) ===\n# === END COPR REPOSITORIES ===\n" +
		"\n# === TOOLBOX PACKAGES (managed by bkt) ===\n# === END TOOLBOX PACKAGES ===\n"
	if got := read(t, root, ToolboxFile); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestAddMissingKeepsCRLF(t *testing.T) {
	root := repoWith(t, map[string]string{ToolboxFile: "FROM x\r\nRUN mine\r\n", "manifests/toolbox-packages.json": `{"packages": ["gcc"]}`})
	if _, err := Sync(root, SyncOptions{AddMissing: true, File: ToolboxFile}, true); err != nil {
		t.Fatal(err)
	}
	got := read(t, root, ToolboxFile)
	if strings.Count(got, "\n") != strings.Count(got, "\r\n") {
		t.Errorf("LF line in a CRLF file:\n%q", got)
	}
	if !strings.HasPrefix(got, "FROM x\r\n\r\n# === COPR") || !strings.HasSuffix(got, "# === END TOOLBOX PACKAGES ===\r\n\r\nRUN mine\r\n") {
		t.Errorf("got %q", got)
	}
}

func TestAddMissingWithoutFrom(t *testing.T) {
	root := repoWith(t, map[string]string{HostFile: "# nothing yet\n"})
	_, err := Sync(root, SyncOptions{AddMissing: true}, true)
	e := assertCode(t, err, fail.Validation)
	if !strings.Contains(e.Message, "no FROM line") {
		t.Errorf("message %q", e.Message)
	}
	if read(t, root, HostFile) != "# nothing yet\n" {
		t.Error("file changed")
	}
}

func TestUnknownSection(t *testing.T) {
	in := strings.ReplaceAll(hostTemplate, "EXCLUDED PACKAGES", "EXCLUDED PACKAGE")
	root := repoWith(t, map[string]string{HostFile: in})
	_, err := Sync(root, SyncOptions{AddMissing: true}, true)
	e := assertCode(t, err, fail.Validation)
	if !strings.Contains(e.Message, `Containerfile:11: unknown managed section "EXCLUDED PACKAGE"`) ||
		!slices.Contains(e.DidYouMean, ExcludedPackages) {
		t.Errorf("%q, did you mean %q", e.Message, e.DidYouMean)
	}
	// A toolbox section in the host file is unknown there too.
	root = repoWith(t, map[string]string{HostFile: hostTemplate + "# === TOOLBOX PACKAGES (managed by bkt) ===\n# === END TOOLBOX PACKAGES ===\n"})
	_, err = Check(root)
	assertCode(t, err, fail.Validation)
}

func TestSyncOneFile(t *testing.T) {
	root := fullRepo(t)
	diffs, err := Sync(root, SyncOptions{File: ToolboxFile}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 1 || diffs[0].Path != ToolboxFile || !diffs[0].Changed {
		t.Fatalf("diffs %+v", diffs)
	}
	if read(t, root, HostFile) != hostTemplate {
		t.Error("--file toolbox/Containerfile changed the host Containerfile")
	}
	_, err = Sync(root, SyncOptions{File: "toolbox/Containerfil"}, true)
	e := assertCode(t, err, fail.Usage)
	if !slices.Contains(e.DidYouMean, ToolboxFile) {
		t.Errorf("did you mean %q", e.DidYouMean)
	}
}

func TestMissingFiles(t *testing.T) {
	// A repository that never had a toolbox: the toolbox file is skipped.
	root := repoWith(t, map[string]string{HostFile: hostTemplate})
	diffs, err := Sync(root, SyncOptions{}, true)
	if err != nil || len(diffs) != 1 || diffs[0].Path != HostFile {
		t.Fatalf("diffs %+v, err %v", diffs, err)
	}
	if diffs, err := Regenerate(root, true); err != nil || len(diffs) != 1 {
		t.Fatalf("Regenerate without toolbox/: %+v, %v", diffs, err)
	}
	_, err = Sync(root, SyncOptions{File: ToolboxFile}, true)
	assertCode(t, err, fail.Usage)

	// No host Containerfile: every entry point fails, and none creates it.
	for name, run := range map[string]func(string) error{
		"Check":      func(r string) error { _, err := Check(r); return err },
		"Sync":       func(r string) error { _, err := Sync(r, SyncOptions{AddMissing: true}, true); return err },
		"Regenerate": func(r string) error { _, err := Regenerate(r, true); return err },
	} {
		empty := t.TempDir()
		e := assertCode(t, run(empty), fail.Validation)
		if !strings.Contains(e.Message, "Containerfile does not exist") ||
			!failtest.HasStep(e, "git checkout -- Containerfile") || !failtest.HasStep(e, "bkt containerfile sync --add-missing") {
			t.Errorf("%s: %s %q", name, e.Message, e.NextSteps)
		}
		if _, err := os.Stat(filepath.Join(empty, HostFile)); !os.IsNotExist(err) {
			t.Errorf("%s created a Containerfile", name)
		}
	}

	// The toolbox file is required once the repository uses a toolbox:
	// its directory exists, or toolbox packages are listed (a pending
	// edit included).
	withDir := repoWith(t, map[string]string{HostFile: hostTemplate, "toolbox/README": "mine\n"})
	e := assertCode(t, func() error { _, err := Check(withDir); return err }(), fail.Validation)
	if !strings.Contains(e.Message, "toolbox/Containerfile does not exist") || !strings.Contains(strings.Join(e.NextSteps, "\n"), "git checkout -- toolbox/Containerfile") {
		t.Errorf("toolbox/ without its Containerfile: %s %q", e.Message, e.NextSteps)
	}
	withPkgs := repoWith(t, map[string]string{HostFile: hostTemplate, "manifests/toolbox-packages.json": toolboxJSON})
	_, err = Regenerate(withPkgs, true)
	assertCode(t, err, fail.Validation)
	pending := repoWith(t, map[string]string{HostFile: hostTemplate})
	tb := &manifest.ToolboxPackages{}
	_, err = Regenerate(pending, false, pendingAdd(t, pending, tb, &tb.Packages, "gcc"))
	assertCode(t, err, fail.Validation)
}

func TestInvalidManifestStopsSync(t *testing.T) {
	root := repoWith(t, map[string]string{HostFile: hostTemplate, "manifests/system-packages.json": `{"packages": ["htop"], "colour": 1}`})
	_, err := Sync(root, SyncOptions{}, true)
	e := assertCode(t, err, fail.Validation)
	if !strings.Contains(e.Message, "manifests/system-packages.json") {
		t.Errorf("message %q", e.Message)
	}
	if read(t, root, HostFile) != hostTemplate {
		t.Error("file changed")
	}
}

// The pipeline's hook tolerates a missing section that would be empty (a
// flatpak change must not fail on an old Containerfile without UPSTREAM),
// but not one that has content to hold.
func TestRegenerateToleratesOnlyEmptyMissingSections(t *testing.T) {
	noUpstream := strings.Replace(hostTemplate, "# === UPSTREAM (managed by bkt) ===\n# === END UPSTREAM ===\n", "", 1)
	root := repoWith(t, map[string]string{HostFile: noUpstream, "manifests/system-packages.json": systemJSON})
	diffs, err := Regenerate(root, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 1 || !diffs[0].Changed || !strings.Contains(read(t, root, HostFile), "        htop \\\n") {
		t.Errorf("Regenerate did not write the packages: %+v", diffs)
	}
	if strings.Contains(read(t, root, HostFile), "UPSTREAM") {
		t.Error("Regenerate added a section")
	}

	noSystem := strings.Replace(hostTemplate, "# === SYSTEM PACKAGES (managed by bkt) ===\n# === END SYSTEM PACKAGES ===\n", "", 1)
	root = repoWith(t, map[string]string{HostFile: noSystem, "manifests/system-packages.json": systemJSON})
	_, err = Regenerate(root, true)
	assertCode(t, err, fail.Validation)
}

// A dry run's preview: the manifest edit is not on disk, its result is
// passed in, and the Containerfile diff reflects it without writing.
func TestRegenerateWithPendingEdit(t *testing.T) {
	root := repoWith(t, map[string]string{HostFile: hostTemplate})
	pkgs := &manifest.SystemPackages{}
	diffs, err := Regenerate(root, false, pendingAdd(t, root, pkgs, &pkgs.Packages, "htop"))
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 1 || !strings.Contains(diffs[0].Diff, "+        htop \\") {
		t.Fatalf("pending edit not rendered: %+v", diffs)
	}
	if read(t, root, HostFile) != hostTemplate {
		t.Error("Regenerate without write changed the file")
	}
	if _, err := os.Stat(filepath.Join(root, "manifests")); !os.IsNotExist(err) {
		t.Error("the pending manifest was written")
	}
}

func TestSyncKeepsFileMode(t *testing.T) {
	root := fullRepo(t)
	path := filepath.Join(root, HostFile)
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Sync(root, SyncOptions{}, true); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}
