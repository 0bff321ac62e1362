// Package base is the base-image assumptions domain (SPEC §11): what this
// distribution relies on its base image to ship
// (manifests/base-image-assumptions.json), checked against the image in
// the registry without pulling it (internal/oci), or against the running
// system.
package base

import (
	"context"
	"fmt"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/oci"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/suggest"
)

// Actions of the base domain.
const (
	ActAssume   = "assume"
	ActUnassume = "unassume"
)

// Options are an assumption change's options. The JSON name is the key of
// the local log's metadata (SPEC §2.3): keep it.
type Options struct {
	// Reason says why the distribution needs the package.
	Reason string `json:"reason,omitempty"`
}

// Domain implements pipeline.ChangeOptions.
func (Options) Domain() string { return "base" }

// Domain implements pipeline.Domain for base-image assumptions. A change
// has no local effect: it edits the manifest only.
type Domain struct {
	// Image says how to reach the base image (architecture, transport).
	Image oci.Options
}

// Name implements pipeline.Domain.
func (Domain) Name() string { return "base" }

// Options implements pipeline.Domain.
func (Domain) Options() pipeline.ChangeOptions { return Options{} }

// Validate implements pipeline.Domain: an assumed package must be in the
// base image now (unless --force), an unassumed one in the manifest.
func (d Domain) Validate(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	if len(c.IDs) == 0 {
		return fail.New(fail.Usage, "base %s needs a package name", c.Action).Next("See the usage: bkt base --help")
	}
	for _, id := range c.IDs {
		rule := manifest.PackageName
		if isPath(id) {
			rule = manifest.ImagePath
		}
		if err := rule.Check(id); err != nil {
			return fail.Wrap(fail.Validation, err, "%s", err.Error()).Next("See the usage: bkt base --help")
		}
	}
	var doc manifest.BaseImageAssumptions
	if root := env.Recorded(); root != "" {
		if err := manifest.Load(root, &doc); err != nil {
			return err
		}
	}
	switch c.Action {
	case ActAssume:
		if env.Force {
			return nil
		}
		return d.inImage(ctx, &doc, c.IDs)
	case ActUnassume:
		var known []string
		for _, p := range doc.Packages {
			known = append(known, p.Name)
		}
		for _, f := range doc.Files {
			known = append(known, f.Path)
		}
		for _, id := range c.IDs {
			if isPath(id) && doc.FindFile(id) == nil {
				return fail.New(fail.Validation, "File '%s' is not a base-image assumption", id).
					Suggest(suggest.Closest(id, known, 3)...).
					Next("See the assumptions: bkt base list")
			}
			if !isPath(id) && doc.FindPackage(id) == nil {
				return fail.New(fail.Validation, "Package '%s' is not a base-image assumption", id).
					Suggest(suggest.Closest(id, known, 3)...).
					Next("See the assumptions: bkt base list")
			}
		}
		return nil
	}
	return fail.New(fail.Usage, "base has no action %q", c.Action)
}

// inImage checks that the base image's default tag has every package.
func (d Domain) inImage(ctx context.Context, doc *manifest.BaseImageAssumptions, names []string) error {
	if doc.Image == "" {
		return noImage()
	}
	ref := doc.Image + ":" + doc.TagOrDefault()
	im, err := oci.Open(ctx, ref, d.Image)
	if err != nil {
		return err
	}
	var paths []string
	for _, n := range names {
		if isPath(n) {
			paths = append(paths, n)
		}
	}
	got, err := im.Read(ctx, paths)
	if err != nil {
		return err
	}
	for _, n := range names {
		if isPath(n) {
			if !got.Files[n] {
				return fail.New(fail.Validation, "File '%s' is not in the base image %s", n, ref).
					Next("Assume it without checking (the image will add it): bkt base assume " + n + " --force")
			}
			continue
		}
		if !got.Has(n) {
			return fail.New(fail.Validation, "Package '%s' is not in the base image %s", n, ref).
				Suggest(suggest.Closest(n, got.Names(), 3)...).
				Next("Install it in your image instead: bkt dnf install "+n,
					"Assume it without checking (offline, or the image will add it): bkt base assume "+n+" --force")
		}
	}
	return nil
}

// noImage is the error of a repository that names no base image.
func noImage() *fail.Error {
	return fail.New(fail.Validation, "manifests/base-image-assumptions.json names no base image").
		Next(`Set "image" (e.g. ghcr.io/ublue-os/bazzite) and "tags" in manifests/base-image-assumptions.json, then: bkt validate`)
}

// Commands implements pipeline.Domain: an assumption changes nothing on
// this machine.
func (Domain) Commands(context.Context, pipeline.Env, pipeline.Change) ([]run.Cmd, error) {
	return nil, nil
}

// Apply implements pipeline.Domain: edit manifests/base-image-assumptions.json.
func (Domain) Apply(root string, c pipeline.Change, write bool) ([]manifest.FileDiff, error) {
	var doc manifest.BaseImageAssumptions
	var edit func(name string)
	switch c.Action {
	case ActAssume:
		reason := pipeline.OptionsOf[Options](c).Reason
		edit = func(name string) {
			switch {
			case isPath(name) && (reason != "" || doc.FindFile(name) == nil):
				doc.UpsertFile(manifest.BaseFile{Path: name, Reason: reason})
			case !isPath(name) && (reason != "" || doc.FindPackage(name) == nil):
				doc.UpsertPackage(manifest.BasePackage{Name: name, Reason: reason})
			} // assuming it again without a reason keeps the one given before
		}
	case ActUnassume:
		edit = func(name string) {
			if isPath(name) {
				doc.RemoveFile(name)
			} else {
				doc.RemovePackage(name)
			}
		}
	default:
		return nil, fmt.Errorf("base: unknown action %q", c.Action)
	}
	return manifest.EditEach(root, &doc, c.IDs, edit, write)
}

// isPath tells a file assumption (an absolute path) from a package name,
// which never starts with "/".
func isPath(id string) bool { return strings.HasPrefix(id, "/") }
