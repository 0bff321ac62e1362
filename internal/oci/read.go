package oci

import (
	"archive/tar"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	rpmdb "github.com/knqyf263/go-rpmdb/pkg"
	_ "modernc.org/sqlite" // go-rpmdb opens rpmdb.sqlite with the driver named "sqlite"

	"github.com/bkt-dev/bkt/internal/fail"
)

// RPMDBPaths are where an image keeps its RPM database, most likely
// first: Fedora ≥ 36 (and bootc images), then rpm-ostree's older place,
// then the classic one.
var RPMDBPaths = []string{
	"usr/lib/sysimage/rpm/rpmdb.sqlite",
	"usr/share/rpm/rpmdb.sqlite",
	"var/lib/rpm/rpmdb.sqlite",
	"usr/lib/sysimage/rpm/Packages",
	"usr/share/rpm/Packages",
	"var/lib/rpm/Packages",
}

// Package is one installed RPM.
type Package struct {
	Name    string `json:"name"`
	Epoch   int    `json:"epoch,omitempty"`
	Version string `json:"version"`
	Release string `json:"release"`
	Arch    string `json:"arch"`
}

// EVR is the package's [EPOCH:]VERSION-RELEASE.
func (p Package) EVR() string {
	if p.Epoch != 0 {
		return fmt.Sprintf("%d:%s-%s", p.Epoch, p.Version, p.Release)
	}
	return p.Version + "-" + p.Release
}

// Contents is what Read found in an image.
type Contents struct {
	// Packages are the installed packages, sorted by name and arch.
	Packages []Package
	// Files says, for each path asked, whether the image has it.
	Files map[string]bool
	// RPMDB is the database's path in the image.
	RPMDB string
	// LayersRead is how many layers were streamed (from the top), and
	// LayerBytes their compressed size: what Read fetched besides the
	// manifest and config.
	LayersRead int
	LayerBytes int64
}

// Has reports whether a package of this name is installed.
func (c *Contents) Has(name string) bool {
	return slices.ContainsFunc(c.Packages, func(p Package) bool { return p.Name == name })
}

// Names are the installed packages' names, each once, sorted.
func (c *Contents) Names() []string {
	var names []string
	for _, p := range c.Packages {
		names = append(names, p.Name)
	}
	return slices.Compact(names)
}

// Read streams the image's layers from the top until the top-most one
// holding the RPM database, each once, and reads the packages from it.
// files are absolute or root-relative paths whose presence is checked
// from the same layers, whiteouts included; one that no layer down to the
// database's mentions is present when an installed package owns it, and
// otherwise the lower layers are read for it.
func (im *Image) Read(ctx context.Context, files []string) (*Contents, error) {
	layers, err := im.img.Layers()
	if err != nil {
		return nil, readError(im.Ref, err)
	}
	descs := im.layerDescs()
	w := &walk{open: map[string]bool{}, dbRank: -1}
	c := &Contents{Files: map[string]bool{}}
	for _, f := range files {
		p := clean(f)
		w.open[p] = true
		c.Files[f] = false
	}
	tmp, err := os.MkdirTemp("", "bkt-rpmdb-")
	if err != nil {
		return nil, fail.Wrap(fail.General, err, "Cannot make a temporary directory for the RPM database").WithDetail("%v", err).
			Next("Check TMPDIR: df -h ${TMPDIR:-/tmp}")
	}
	defer os.RemoveAll(tmp)
	dbFile := filepath.Join(tmp, "rpmdb")
	for i := len(layers) - 1; i >= 0; i-- {
		if w.dbDone() && len(w.open) == 0 {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c.LayersRead++
		if i < len(descs) {
			c.LayerBytes += descs[i].Size
		}
		if err := w.layer(layers[i], dbFile); err != nil {
			return nil, readError(im.Ref, err)
		}
		if w.dbRank >= 0 && c.RPMDB == "" {
			c.RPMDB = RPMDBPaths[w.dbRank]
			if c.Packages, err = packages(dbFile, w, c.RPMDB); err != nil {
				return nil, err
			}
		}
		if w.noDB {
			break
		}
	}
	if c.RPMDB == "" {
		return nil, fail.New(fail.Validation, "%s has no RPM database", im.Ref).
			WithDetail("None of %s is in its layers.", strings.Join(RPMDBPaths, ", ")).
			Next("Check that it is an RPM-based image: skopeo inspect " + refArg(im.Ref))
	}
	for _, f := range files {
		c.Files[f] = w.present[clean(f)]
	}
	return c, nil
}

func (im *Image) layerDescs() []v1.Descriptor {
	m, err := im.img.Manifest()
	if err != nil {
		return nil
	}
	return m.Layers
}

// refArg is the reference as skopeo takes it.
func refArg(r Ref) string {
	if r.Layout != "" {
		return r.String()
	}
	return "docker://" + r.String()
}

// clean is a path as a layer's tar names it: relative, without ./.
func clean(p string) string {
	p = path.Clean("/" + strings.TrimPrefix(p, "./"))
	return strings.TrimPrefix(p, "/")
}

// walk is the state of a top-down walk over the layers.
type walk struct {
	// gone are paths a layer above deleted (whiteouts), with everything
	// under them; opaque are directories whose lower contents a layer
	// above hid.
	gone, opaque map[string]bool
	// open are the asked paths not decided yet; present those found.
	open    map[string]bool
	present map[string]bool
	// dbRank is the RPMDBPaths index of the database found (-1: none
	// yet); noDB is set when the layers above hid every place it could
	// be.
	dbRank int
	noDB   bool
}

func (w *walk) dbDone() bool { return w.dbRank >= 0 || w.noDB }

// hidden reports whether a layer above hid p: p or a directory above it
// deleted, or a directory above it made opaque. It costs one lookup per
// path element, whatever the number of whiteouts.
func (w *walk) hidden(p string) bool {
	if w.gone[p] {
		return true
	}
	for d := p; ; {
		i := strings.LastIndexByte(d, '/')
		if i < 0 {
			return false
		}
		d = d[:i]
		if w.gone[d] || w.opaque[d] {
			return true
		}
	}
}

// layer streams one layer: it decides the open paths it mentions, and,
// until the database is found, copies the best one it holds to dbFile.
func (w *walk) layer(l v1.Layer, dbFile string) error {
	rc, err := l.Uncompressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	var gone, opaque []string // this layer's: they hide only what is below it
	rank, link := -1, ""
	wantDB := !w.dbDone()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		name := clean(h.Name)
		dir, base := path.Split(name)
		dir = strings.TrimSuffix(dir, "/")
		if base == ".wh..wh..opq" {
			opaque = append(opaque, dir)
			continue
		}
		if victim, ok := strings.CutPrefix(base, ".wh."); ok {
			gone = append(gone, path.Join(dir, victim))
			continue
		}
		if w.hidden(name) {
			continue
		}
		for f := range w.open {
			if name == f || strings.HasPrefix(name, f+"/") {
				w.found(f)
			}
		}
		if r := slices.Index(RPMDBPaths, name); wantDB && r >= 0 && (rank < 0 || r < rank) {
			switch h.Typeflag {
			case tar.TypeReg:
				if err := copyTo(dbFile, tr); err != nil {
					return err
				}
				rank, link = r, ""
			case tar.TypeLink:
				// An ostree-style layer hard-links the file to an
				// earlier entry: read that one on a second pass.
				rank, link = r, clean(h.Linkname)
			}
		}
		if rank == 0 && link == "" && len(w.open) == 0 {
			break // nothing else to learn from this layer
		}
	}
	if link != "" {
		if err := extract(l, link, dbFile); err != nil {
			return err
		}
	}
	if rank >= 0 {
		w.dbRank = rank
	}
	if w.gone == nil {
		w.gone, w.opaque = map[string]bool{}, map[string]bool{}
	}
	for _, g := range gone {
		w.gone[g] = true
	}
	for _, o := range opaque {
		w.opaque[o] = true
	}
	for f := range w.open {
		if w.hidden(f) {
			delete(w.open, f)
		}
	}
	if !w.dbDone() && !slices.ContainsFunc(RPMDBPaths, func(p string) bool { return !w.hidden(p) }) {
		w.noDB = true
	}
	return nil
}

func (w *walk) found(f string) {
	delete(w.open, f)
	if w.present == nil {
		w.present = map[string]bool{}
	}
	w.present[f] = true
}

// extract copies the layer's entry called name to dst.
func extract(l v1.Layer, name, dst string) error {
	rc, err := l.Uncompressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err != nil {
			return fmt.Errorf("the RPM database links to %s, which the layer does not hold: %w", name, err)
		}
		if clean(h.Name) == name && h.Typeflag == tar.TypeReg {
			return copyTo(dst, tr)
		}
	}
}

// maxRPMDB bounds the RPM database copied to disk: a real one is a few
// hundred MB at most, while a hostile layer can expand a few kB of gzip
// into any size (the image is named by the repository, a pull request).
var maxRPMDB int64 = 2 << 30

func copyTo(dst string, r io.Reader) error {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(r, maxRPMDB+1))
	if err == nil && n > maxRPMDB {
		err = fmt.Errorf("the RPM database is larger than %d MiB: not a database bkt reads", maxRPMDB>>20)
	}
	return errors.Join(err, f.Close())
}

// packages reads the database copied to file, and decides the open paths
// an installed package owns.
func packages(file string, w *walk, where string) ([]Package, error) {
	db, err := rpmdb.Open(file)
	if err != nil {
		return nil, fail.Wrap(fail.General, err, "Cannot read the image's RPM database (%s)", where).WithDetail("%v", err)
	}
	defer db.Close()
	infos, err := db.ListPackages()
	if err != nil {
		return nil, fail.Wrap(fail.General, err, "Cannot read the image's RPM database (%s)", where).WithDetail("%v", err)
	}
	pkgs := make([]Package, 0, len(infos))
	for _, p := range infos {
		pkgs = append(pkgs, Package{Name: p.Name, Epoch: p.EpochNum(), Version: p.Version, Release: p.Release, Arch: p.Arch})
		if len(w.open) == 0 {
			continue
		}
		names, err := p.InstalledFileNames()
		if err != nil {
			continue // a header without a file list owns nothing we can see
		}
		for _, n := range names {
			if f := clean(n); w.open[f] {
				w.found(f)
			}
		}
	}
	slices.SortFunc(pkgs, func(a, b Package) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Arch, b.Arch), Compare(a.EVR(), b.EVR()))
	})
	return pkgs, nil
}
