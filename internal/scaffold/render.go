package scaffold

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"text/template"

	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/repo"
)

// The template tree stores dotfiles as "dot-NAME" (dot-github, dot-gitignore)
// so that they stay visible to go:embed and inert in bkt's own repository
// (a real .gitignore there would apply to bkt's sources).
//
//go:embed template
var templateFS embed.FS

// Template files are text/templates with {% %} delimiters: the default
// {{ }} would clash with GitHub Actions expressions in the workflows.
const leftDelim, rightDelim = "{%", "%}"

// templateData is what the template files can refer to.
type templateData struct {
	Owner, Name, URL, DefaultBranch string
	Base                            string // the host image's base
	Image                           string // where CI pushes the host image, lowercase
	ToolboxBase                     string
	BktVersion                      string // the bkt the image builds (BKT section)
}

// seeds are the manifests that do not start empty, as JSON decoded into
// the kind's Go type (so they go through the same canonical formatting as
// any edit). A seed for a kind that manifest.All does not know is unused.
func seeds(opts Options) map[string]any {
	image, tags := baseImageTags(opts.Base)
	return map[string]any{
		"flatpak-remotes": map[string]any{"remotes": []map[string]any{
			{"name": "flathub", "url": "https://dl.flathub.org/repo/flathub.flatpakrepo", "scope": "system"},
		}},
		"base-image-assumptions": map[string]any{"image": image, "tags": tags,
			// What the template's own Containerfile runs (bkt base verify).
			"packages": []map[string]any{
				{"name": "bootc", "reason": "the Containerfile runs bootc container lint"},
				{"name": "systemd", "reason": "the Containerfile runs systemctl --global enable"},
			},
			"files": []map[string]any{
				{"path": "/usr/bin/dnf", "reason": "the managed sections install packages with dnf"},
			},
		},
		// bkt dev enter creates the toolbox from the image CI builds.
		"toolbox-packages": map[string]any{"image": opts.imageName() + "-toolbox:latest"},
	}
}

// render returns every file of the new repository by relative path.
func render(opts Options) (map[string][]byte, error) {
	files := map[string][]byte{}
	add := func(path string, data []byte) error {
		if _, dup := files[path]; dup {
			return fmt.Errorf("template: %s is produced twice", path)
		}
		files[path] = data
		return nil
	}
	// repo.json is listed here and written by repo.WriteInfo, its owner.
	if err := add(repo.InfoFile, nil); err != nil {
		return nil, err
	}
	info := info(opts)
	data := templateData{
		Owner: info.Owner, Name: info.Name, URL: info.URL, DefaultBranch: info.DefaultBranch,
		Base: opts.Base, Image: opts.imageName(), ToolboxBase: ToolboxBase,
		BktVersion: bktVersion(),
	}
	if err := renderTree(data, add); err != nil {
		return nil, err
	}
	seeded := seeds(opts)
	for _, d := range manifest.All() {
		if seed, ok := seeded[d.Name()]; ok {
			if err := decodeStrict(seed, d); err != nil {
				return nil, fmt.Errorf("seeding %s: %w", manifest.RelPath(d), err)
			}
		}
		out, err := manifest.Format(d)
		if err != nil {
			return nil, err
		}
		if err := add(manifest.RelPath(d), out); err != nil {
			return nil, err
		}
	}
	for name, schema := range manifest.Schemas() {
		if err := add("schemas/"+name, schema); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// renderTree executes every file under template/ with data.
func renderTree(data templateData, add func(string, []byte) error) error {
	return fs.WalkDir(templateFS, "template", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := templateFS.ReadFile(path)
		if err != nil {
			return err
		}
		t, err := template.New(path).Delims(leftDelim, rightDelim).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return err
		}
		var out bytes.Buffer
		if err := t.Execute(&out, data); err != nil {
			return err
		}
		return add(targetPath(strings.TrimPrefix(path, "template/")), out.Bytes())
	})
}

// targetPath maps a template path to the repository path: every segment
// "dot-X" becomes ".X".
func targetPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if rest, ok := strings.CutPrefix(s, "dot-"); ok {
			segs[i] = "." + rest
		}
	}
	return strings.Join(segs, "/")
}

// decodeStrict fills d from v through JSON, refusing fields d does not
// have, so a seed that drifts from its Go type fails loudly (and in tests).
func decodeStrict(v any, d manifest.Doc) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(d)
}
