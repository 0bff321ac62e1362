package scaffold

import (
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/testenv/tabletest"
)

// writeRepo scaffolds a repository for alice/my-os in a new temp dir.
func writeRepo(t *testing.T, opts Options) (string, []string) {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = filepath.Join(t.TempDir(), "my-os")
	}
	if opts.Owner == "" {
		opts.Owner = "alice"
	}
	paths, err := Write(opts)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return opts.Dir, paths
}

func readFile(t *testing.T, dir, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// filesOnDisk lists every regular file under dir, relative, slash-separated.
func filesOnDisk(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteListsExactlyTheFilesWritten(t *testing.T) {
	dir, paths := writeRepo(t, Options{})
	if !slices.IsSorted(paths) {
		t.Errorf("paths not sorted: %v", paths)
	}
	if disk := filesOnDisk(t, dir); !slices.Equal(disk, paths) {
		t.Errorf("returned paths differ from the files on disk:\nreturned %v\non disk  %v", paths, disk)
	}
	for _, want := range []string{
		"repo.json", "Containerfile", "toolbox/Containerfile", "README.md", ".gitignore", ".containerignore",
		"changelog.json", "changelog.d/.gitkeep", "skel/.gitkeep", "upstream/manifest.json",
		".github/workflows/build.yml", ".github/workflows/validate.yml", "systemd/user/bkt-first-boot.service",
		"manifests/flatpak-remotes.json", "schemas/flatpak-apps.schema.json",
	} {
		if !slices.Contains(paths, want) {
			t.Errorf("%s not written", want)
		}
	}
	for _, p := range paths {
		if strings.Contains(p, "dot-") {
			t.Errorf("template name leaked into the repository: %s", p)
		}
		if text := readFile(t, dir, p); strings.Contains(text, leftDelim) || strings.Contains(text, rightDelim) {
			t.Errorf("%s still holds template delimiters", p)
		}
	}
}

func TestManifestsLoadAndAreCanonical(t *testing.T) {
	dir, _ := writeRepo(t, Options{})
	for _, d := range manifest.All() {
		rel := manifest.RelPath(d)
		written := readFile(t, dir, rel)
		if err := manifest.Load(dir, d); err != nil {
			t.Errorf("Load(%s): %v", rel, err)
			continue
		}
		again, err := manifest.Format(d)
		if err != nil {
			t.Fatal(err)
		}
		if string(again) != written {
			t.Errorf("%s is not canonical:\nwritten:\n%s\nre-formatted:\n%s", rel, written, again)
		}
	}
	probs, err := manifest.ValidateAll(dir)
	if err != nil || len(probs) > 0 {
		t.Errorf("ValidateAll: %v %v", probs, err)
	}
}

func TestManifestsAreEmptyExceptFlathub(t *testing.T) {
	dir, _ := writeRepo(t, Options{})
	remotes := &manifest.FlatpakRemotes{}
	if err := manifest.Load(dir, remotes); err != nil {
		t.Fatal(err)
	}
	want := []manifest.FlatpakRemote{{Name: "flathub", URL: "https://dl.flathub.org/repo/flathub.flatpakrepo", Scope: "system"}}
	if len(remotes.Remotes) != 1 || remotes.Remotes[0].Name != want[0].Name || remotes.Remotes[0].URL != want[0].URL ||
		remotes.Remotes[0].Scope != want[0].Scope || remotes.Remotes[0].GPGVerify != nil || remotes.Remotes[0].Filtered != nil {
		t.Errorf("flatpak remotes = %+v, want %+v", remotes.Remotes, want)
	}
	for _, d := range manifest.All() {
		if _, seeded := seeds(Options{Base: DefaultBase})[d.Name()]; seeded {
			continue
		}
		empty, err := manifest.Format(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, dir, manifest.RelPath(d)); got != string(empty) {
			t.Errorf("%s is not empty:\n%s", manifest.RelPath(d), got)
		}
	}
}

// The base image assumptions start from --base once that manifest kind
// exists (SPEC §11); until then the seed is unused.
func TestBaseAssumptionsFollowBase(t *testing.T) {
	d, ok := manifest.New("base-image-assumptions")
	if !ok {
		t.Skip("manifest kind base-image-assumptions does not exist yet")
	}
	dir, _ := writeRepo(t, Options{Base: "quay.io/fedora/fedora-silverblue:43"})
	var got struct {
		Image string   `json:"image"`
		Tags  []string `json:"tags"`
	}
	if err := json.Unmarshal([]byte(readFile(t, dir, manifest.RelPath(d))), &got); err != nil {
		t.Fatal(err)
	}
	if got.Image != "quay.io/fedora/fedora-silverblue" || !slices.Equal(got.Tags, []string{"43"}) {
		t.Errorf("assumptions image %q tags %v", got.Image, got.Tags)
	}
}

func TestSchemasMatchEmbedded(t *testing.T) {
	dir, paths := writeRepo(t, Options{})
	want := manifest.Schemas()
	var written []string
	for _, p := range paths {
		if name, ok := strings.CutPrefix(p, "schemas/"); ok {
			written = append(written, name)
		}
	}
	if names := slices.Sorted(maps.Keys(want)); !slices.Equal(written, names) {
		t.Errorf("schemas written %v, want %v", written, names)
	}
	for name, data := range want {
		if got := readFile(t, dir, "schemas/"+name); got != string(data) {
			t.Errorf("schemas/%s differs from the embedded schema", name)
		}
	}
}

// checkSections asserts the file's marker lines are exactly the start and
// END markers of names, in order, each section empty (markers only), all
// after the last FROM.
func checkSections(t *testing.T, rel, text string, names ...string) {
	t.Helper()
	lines := strings.Split(text, "\n")
	var markers []string
	lastFrom, firstMarker := -1, -1
	for i, l := range lines {
		if strings.HasPrefix(l, "FROM ") {
			lastFrom = i
		}
		if strings.Contains(l, "===") || strings.Contains(l, "managed by bkt)") {
			if firstMarker < 0 {
				firstMarker = i
			}
			markers = append(markers, l)
		}
	}
	var want []string
	for _, n := range names {
		want = append(want, "# === "+n+" (managed by bkt) ===", "# === END "+n+" ===")
	}
	if !slices.Equal(markers, want) {
		t.Errorf("%s markers:\n%s\nwant:\n%s", rel, strings.Join(markers, "\n"), strings.Join(want, "\n"))
	}
	for _, n := range names {
		start := slices.Index(lines, "# === "+n+" (managed by bkt) ===")
		if start < 0 || start+1 >= len(lines) || lines[start+1] != "# === END "+n+" ===" {
			t.Errorf("%s: section %s is not markers only", rel, n)
		}
	}
	if lastFrom < 0 || firstMarker < lastFrom {
		t.Errorf("%s: managed sections must follow the last FROM (FROM at line %d, first marker at %d)", rel, lastFrom+1, firstMarker+1)
	}
}

func TestContainerfileSections(t *testing.T) {
	dir, _ := writeRepo(t, Options{})
	host := readFile(t, dir, "Containerfile")
	checkSections(t, "Containerfile", host, "COPR REPOSITORIES", "SYSTEM PACKAGES", "EXCLUDED PACKAGES", "UPSTREAM", "BKT")
	for _, line := range []string{
		"ARG BASE_IMAGE=" + DefaultBase, "FROM ${BASE_IMAGE}",
		"COPY manifests/ /usr/share/bkt/manifests/", "COPY skel/ /etc/skel/", "RUN bootc container lint",
	} {
		if !slices.Contains(strings.Split(host, "\n"), line) {
			t.Errorf("Containerfile lacks the line %q", line)
		}
	}
	toolbox := readFile(t, dir, "toolbox/Containerfile")
	checkSections(t, "toolbox/Containerfile", toolbox, "COPR REPOSITORIES", "TOOLBOX PACKAGES")
	if !strings.Contains(toolbox, "ARG BASE_IMAGE="+ToolboxBase+"\n") {
		t.Errorf("toolbox/Containerfile does not build on %s", ToolboxBase)
	}
}

func TestBaseLandsInContainerfile(t *testing.T) {
	const base = "ghcr.io/ublue-os/bluefin:stable-daily"
	dir, _ := writeRepo(t, Options{Base: base})
	host := readFile(t, dir, "Containerfile")
	if !strings.Contains(host, "\nARG BASE_IMAGE="+base+"\nFROM ${BASE_IMAGE}\n") {
		t.Errorf("Containerfile does not build on %s:\n%s", base, host)
	}
	if strings.Contains(host, DefaultBase) {
		t.Errorf("Containerfile still names the default base %s", DefaultBase)
	}
	if !strings.Contains(readFile(t, dir, "README.md"), base) {
		t.Errorf("README.md does not name the base %s", base)
	}
}

func TestRepoInfoRoundTrips(t *testing.T) {
	dir, _ := writeRepo(t, Options{Owner: "Alice-B", Name: "Desk.OS"})
	got, err := repo.ReadInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := repo.Info{Owner: "Alice-B", Name: "Desk.OS", URL: "https://github.com/Alice-B/Desk.OS", DefaultBranch: "main"}
	if got != want {
		t.Errorf("repo.json = %+v, want %+v", got, want)
	}
	// Registries want lowercase names; GitHub keeps the case.
	for _, rel := range []string{".github/workflows/build.yml", "README.md"} {
		if text := readFile(t, dir, rel); !strings.Contains(text, "ghcr.io/alice-b/desk.os") {
			t.Errorf("%s does not name the image ghcr.io/alice-b/desk.os", rel)
		}
	}
	if !strings.Contains(readFile(t, dir, "README.md"), "bootc switch ghcr.io/alice-b/desk.os:latest") {
		t.Error("README.md does not say how to switch to the image")
	}
}

func TestDefaults(t *testing.T) {
	t.Setenv("USER", "carol")
	dir := filepath.Join(t.TempDir(), "carols-os")
	if _, err := Write(Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	got, err := repo.ReadInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Owner != "carol" || got.Name != "carols-os" || got.URL != "https://github.com/carol/carols-os" {
		t.Errorf("defaults gave %+v", got)
	}

	// "." names the working directory, whose base name is the default name.
	t.Chdir(dir)
	resolved, err := Options{Dir: "."}.Resolve()
	if err != nil || resolved.Name != "carols-os" || resolved.Base != DefaultBase {
		t.Errorf("Resolve(.) = %+v, %v", resolved, err)
	}
}

// changelog.json and upstream/manifest.json are manifest kinds, written
// and checked with the others (manifest.All); these are the other files.
func TestValidateWorkflowAndContainerignore(t *testing.T) {
	dir, _ := writeRepo(t, Options{})
	validate := readFile(t, dir, ".github/workflows/validate.yml")
	if !strings.Contains(validate, "pull_request:") || !strings.Contains(validate, "run: bkt validate\n") {
		t.Errorf("validate.yml does not run bkt validate on pull requests:\n%s", validate)
	}
	if !strings.Contains(readFile(t, dir, ".containerignore"), "**/.gitkeep") {
		t.Error(".containerignore does not keep skel/.gitkeep out of /etc/skel")
	}
}

func TestRefusesNonEmptyDir(t *testing.T) {
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Write(Options{Dir: dir, Owner: "alice", Name: "my-os"})
	assertUsage(t, err, "not empty")
	if data, _ := os.ReadFile(notes); string(data) != "mine\n" {
		t.Errorf("notes.txt changed to %q", data)
	}
	if disk := filesOnDisk(t, dir); !slices.Equal(disk, []string{"notes.txt"}) {
		t.Errorf("directory now holds %v", disk)
	}

	// An existing repository: point at it instead.
	existing, _ := writeRepo(t, Options{})
	_, err = Write(Options{Dir: existing, Owner: "alice"})
	fe := assertUsage(t, err, "not empty")
	if !slices.ContainsFunc(fe.NextSteps, func(s string) bool { return strings.Contains(s, "bkt -C "+existing+" status") }) {
		t.Errorf("next steps %v do not point at the existing repository", fe.NextSteps)
	}
}

func TestWritesIntoEmptyDir(t *testing.T) {
	dir := t.TempDir()
	paths, err := Write(Options{Dir: dir, Owner: "alice", Name: "my-os"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(filesOnDisk(t, dir), paths) {
		t.Error("files on disk differ from the returned paths")
	}
}

func TestRefusesFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "my-os")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Write(Options{Dir: file, Owner: "alice"})
	assertUsage(t, err, "is a file")
}

func TestRejectsBadOptions(t *testing.T) {
	t.Setenv("USER", "john.doe")
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"bad owner", Options{Owner: "-alice"}, "not a valid GitHub owner"},
		{"long owner", Options{Owner: strings.Repeat("a", 40)}, "not a valid GitHub owner"},
		{"USER unusable", Options{}, "$USER"},
		{"bad name", Options{Owner: "alice", Name: "my os"}, "--name"},
		{"name from dir", Options{Owner: "alice", Dir: "my os"}, "--name"},
		{"base with space", Options{Owner: "alice", Base: "fedora:43 AS x"}, "not an image reference"},
		{"base with newline", Options{Owner: "alice", Base: "fedora:43\nRUN rm -rf /"}, "not an image reference"},
		{"base as flag", Options{Owner: "alice", Base: "--help"}, "not an image reference"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			if tc.opts.Dir == "" {
				tc.opts.Dir = "my-os"
			}
			tc.opts.Dir = filepath.Join(parent, tc.opts.Dir)
			_, err := Write(tc.opts)
			fe := assertUsage(t, err, "")
			if !strings.Contains(fe.Message+" "+strings.Join(fe.NextSteps, " "), tc.want) {
				t.Errorf("error %q / %v does not mention %q", fe.Message, fe.NextSteps, tc.want)
			}
			if _, err := os.Stat(tc.opts.Dir); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s was created despite the error", tc.opts.Dir)
			}
		})
	}
	t.Run("no USER", func(t *testing.T) {
		t.Setenv("USER", "")
		_, err := Write(Options{Dir: filepath.Join(t.TempDir(), "x")})
		assertUsage(t, err, "--owner")
	})
}

// assertUsage checks err is a fail.Usage error with next steps whose text
// (headline and steps) contains want.
func assertUsage(t *testing.T, err error, want string) *fail.Error {
	t.Helper()
	if err == nil {
		t.Fatal("Write succeeded, want a usage error")
	}
	var fe *fail.Error
	if !errors.As(err, &fe) || fe.Code != fail.Usage {
		t.Fatalf("error %v (code %d), want fail.Usage", err, fail.CodeOf(err))
	}
	if len(fe.NextSteps) == 0 {
		t.Errorf("error %q has no next steps", fe.Message)
	}
	if text := fe.Message + "\n" + strings.Join(fe.NextSteps, "\n"); !strings.Contains(text, want) {
		t.Errorf("error %q / %v does not mention %q", fe.Message, fe.NextSteps, want)
	}
	return fe
}

func TestBaseImageTags(t *testing.T) {
	for ref, want := range map[string]string{
		"ghcr.io/ublue-os/bazzite-gnome:stable": "ghcr.io/ublue-os/bazzite-gnome [stable]",
		"localhost:5000/os":                     "localhost:5000/os [latest]",
		"localhost:5000/os:43":                  "localhost:5000/os [43]",
		"quay.io/x/y@sha256:abcd":               "quay.io/x/y []",
	} {
		image, tags := baseImageTags(ref)
		if got := image + " [" + strings.Join(tags, " ") + "]"; got != want {
			t.Errorf("baseImageTags(%q) = %s, want %s", ref, got, want)
		}
	}
}

func TestTargetPath(t *testing.T) {
	tabletest.Strings(t, "targetPath", targetPath, map[string]string{
		"dot-github/workflows/build.yml": ".github/workflows/build.yml",
		"skel/dot-gitkeep":               "skel/.gitkeep",
		"toolbox/Containerfile":          "toolbox/Containerfile",
		"docs/not-dot-file":              "docs/not-dot-file",
	})
}

// A seed whose fields drift from the manifest's Go type must fail, not
// be silently dropped.
func TestDecodeStrictRejectsUnknownFields(t *testing.T) {
	err := decodeStrict(map[string]any{"remotes": []any{}, "extra": 1}, &manifest.FlatpakRemotes{})
	if err == nil || !strings.Contains(err.Error(), "extra") {
		t.Errorf("decodeStrict = %v, want an unknown field error", err)
	}
	var r manifest.FlatpakRemotes
	if err := decodeStrict(map[string]any{"remotes": []map[string]any{{"name": "a", "url": "u"}}}, &r); err != nil || len(r.Remotes) != 1 {
		t.Errorf("decodeStrict = %v, %+v", err, r)
	}
}
