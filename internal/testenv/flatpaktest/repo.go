package flatpaktest

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// RuntimeID is the (empty) runtime every test app runs on. It is installed
// as a dependency of the first app, so `flatpak uninstall --unused` and
// `flatpak list` without --app see it.
const RuntimeID = "org.example.Platform"

// DefaultBranch is the branch of the runtime and of apps that name none.
const DefaultBranch = "stable"

// App is one application to put in a test repository.
type App struct {
	ID      string // e.g. org.example.App; flatpak wants at least two dots
	Name    string // appstream name, what `flatpak search` shows
	Summary string // appstream summary
	Branch  string // default DefaultBranch
}

func (a App) branch() string {
	if a.Branch == "" {
		return DefaultBranch
	}
	return a.Branch
}

// BuildRepo creates (or extends) the flatpak repository repoDir with the
// runtime and apps, then regenerates its summary and appstream branches so
// remote-ls, install and search work. Refs already in the repo are left
// alone, so calling it again with more apps only adds those and installed
// apps do not suddenly have updates. env is what Env returns.
func BuildRepo(repoDir string, env []string, apps ...App) error {
	out, err := flatpak(env, "--default-arch")
	if err != nil {
		return fmt.Errorf("flatpaktest: %w", err)
	}
	arch := strings.TrimSpace(string(out))
	build, err := os.MkdirTemp("", "flatpaktest-build-")
	if err != nil {
		return fmt.Errorf("flatpaktest: %w", err)
	}
	defer os.RemoveAll(build)

	changed := false
	if !hasRef(repoDir, "runtime", RuntimeID, arch, DefaultBranch) {
		if err := exportRuntime(repoDir, filepath.Join(build, "runtime"), env, arch); err != nil {
			return err
		}
		changed = true
	}
	for _, app := range apps {
		if hasRef(repoDir, "app", app.ID, arch, app.branch()) {
			continue
		}
		if err := exportApp(repoDir, filepath.Join(build, app.ID+"-"+app.branch()), env, arch, app); err != nil {
			return err
		}
		changed = true
	}
	if !changed {
		return nil
	}
	// build-update-repo writes the summary that clients read and collects
	// the apps' appstream data into the appstream/appstream2 branches.
	if _, err := flatpak(env, "build-update-repo", repoDir); err != nil {
		return fmt.Errorf("flatpaktest: updating repo %s: %w", repoDir, err)
	}
	return nil
}

// hasRef reports whether the ostree repo already holds kind/id/arch/branch.
func hasRef(repoDir, kind, id, arch, branch string) bool {
	_, err := os.Stat(filepath.Join(repoDir, "refs", "heads", kind, id, arch, branch))
	return err == nil
}

// exportRuntime builds the runtime by hand: build-init refuses without an
// installed SDK. build-export --runtime exports usr/, but insists that files/
// exists too ("not initialized" otherwise).
func exportRuntime(repoDir, dir string, env []string, arch string) error {
	ref := RuntimeID + "/" + arch + "/" + DefaultBranch
	metadata := "[Runtime]\nname=" + RuntimeID + "\nruntime=" + ref + "\nsdk=" + ref + "\n"
	if err := writeFiles(dir, map[string]string{"metadata": metadata, "usr/bin/": "", "files/": ""}); err != nil {
		return err
	}
	if _, err := flatpak(env, "build-export", "--runtime", repoDir, dir, DefaultBranch); err != nil {
		return fmt.Errorf("flatpaktest: exporting runtime: %w", err)
	}
	return nil
}

// exportApp builds one app with a shell-script command and appstream data
// (without it `flatpak search` finds nothing and still exits 0).
func exportApp(repoDir, dir string, env []string, arch string, app App) error {
	if strings.Count(app.ID, ".") < 2 || strings.ContainsAny(app.ID, "/ ") {
		return fmt.Errorf("flatpaktest: app id %q: flatpak needs a reverse-DNS name with at least two dots", app.ID)
	}
	rt := RuntimeID + "/" + arch + "/" + DefaultBranch
	metadata := "[Application]\nname=" + app.ID + "\nruntime=" + rt + "\nsdk=" + rt + "\n"
	appstream, err := appstreamXML(app, arch)
	if err != nil {
		return err
	}
	files := map[string]string{
		"metadata":        metadata,
		"files/bin/hello": "#!/bin/sh\necho hello from " + app.ID + "\n",
		"files/share/app-info/xmls/" + app.ID + ".xml.gz": appstream,
	}
	if err := writeFiles(dir, files); err != nil {
		return err
	}
	// build-finish writes command= into metadata and creates export/;
	// build-export refuses an app that is "not finalized".
	if _, err := flatpak(env, "build-finish", dir, "--command=hello"); err != nil {
		return fmt.Errorf("flatpaktest: finishing %s: %w", app.ID, err)
	}
	if _, err := flatpak(env, "build-export", repoDir, dir, app.branch()); err != nil {
		return fmt.Errorf("flatpaktest: exporting %s: %w", app.ID, err)
	}
	return nil
}

// appstreamXML returns a gzipped appstream collection describing app.
func appstreamXML(app App, arch string) (string, error) {
	esc := func(s string) string {
		var b bytes.Buffer
		_ = xml.EscapeText(&b, []byte(s)) // writes to a Buffer cannot fail
		return b.String()
	}
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<components version="0.8" origin="flatpak">
  <component type="desktop-application">
    <id>` + esc(app.ID) + `</id>
    <name>` + esc(app.Name) + `</name>
    <summary>` + esc(app.Summary) + `</summary>
    <bundle type="flatpak">app/` + esc(app.ID) + "/" + arch + "/" + esc(app.branch()) + `</bundle>
  </component>
</components>
`
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	if _, err := w.Write([]byte(doc)); err != nil {
		return "", fmt.Errorf("flatpaktest: appstream for %s: %w", app.ID, err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("flatpaktest: appstream for %s: %w", app.ID, err)
	}
	return gz.String(), nil
}

// writeFiles creates the files under dir; a name ending in "/" is an
// (empty) directory. Commands under files/bin/ are made executable.
func writeFiles(dir string, files map[string]string) error {
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(path, 0o755); err != nil {
				return fmt.Errorf("flatpaktest: %w", err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("flatpaktest: %w", err)
		}
		perm := os.FileMode(0o644)
		if strings.HasPrefix(name, "files/bin/") {
			perm = 0o755
		}
		if err := os.WriteFile(path, []byte(content), perm); err != nil {
			return fmt.Errorf("flatpaktest: %w", err)
		}
	}
	return nil
}
