package extension

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/suggest"
	ext "github.com/bkt-dev/bkt/internal/system/extensions"
	"github.com/bkt-dev/bkt/internal/system/gsettings"
)

// Validate implements pipeline.Domain. add checks every UUID on
// extensions.gnome.org (unless --force): it must exist and have a release
// for the Shell running here (when one does). remove, enable and disable need an extension
// that the manifest declares or that is installed.
func (d Domain) Validate(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	for _, uuid := range c.IDs {
		// The manifest's rule, so that every UUID added can be recorded.
		if err := manifest.ExtensionUUID.Check(uuid); err != nil {
			var ie *manifest.InvalidError
			errors.As(err, &ie)
			return fail.Wrap(fail.Validation, err, "'%s' is not an extension UUID: %s", uuid, ie.Reason).
				WithDetail("A UUID looks like name@author.example.com; it is on the extension's page on extensions.gnome.org.").
				Next("See the managed extensions: bkt extension list")
		}
	}
	switch c.Action {
	case ActAdd:
		if env.Force {
			return nil
		}
		return d.validateAdd(ctx, env, c)
	case ActRemove, ActEnable, ActDisable:
		return validateKnown(env, c)
	case ActCapture, ActCaptureDisabled:
		return nil
	}
	return fail.New(fail.Usage, "extension has no action %q", c.Action)
}

func (d Domain) validateAdd(ctx context.Context, env pipeline.Env, c pipeline.Change) error {
	// Without a Shell here (CI, bkt image, --pr-only on a server) the UUID
	// is still checked; only the release check needs the version, and an
	// install here fails in Commands with the way out.
	shell, serr := ext.ShellVersion(ctx, env.Runner, d.ShellVersion)
	if serr != nil {
		shell = ""
	}
	cl := d.client()
	for _, uuid := range c.IDs {
		info, err := cl.Info(ctx, uuid, shell)
		if ext.IsNotFound(err) {
			return fail.New(fail.Validation, "Extension '%s' was not found on extensions.gnome.org", uuid).
				Suggest(d.similar(ctx, uuid)...).
				Next("Find the UUID on the extension's page: https://extensions.gnome.org",
					"Record it without installing (not from extensions.gnome.org): "+run.Line("bkt", "extension", "add", uuid, "--pr-only", "--force"))
		}
		if err != nil {
			return fail.Wrap(fail.Network, err, "Could not check '%s' on extensions.gnome.org", uuid).
				WithDetail("%v", err).
				Next("Check the network connection, then retry",
					"Skip the check (offline): bkt extension add "+run.Line(c.IDs...)+" --force")
		}
		if shell != "" && !info.Supports(shell) {
			e := fail.New(fail.Validation, "Extension '%s' has no release for GNOME Shell %s", uuid, shell)
			if vs := info.ShellVersions(); len(vs) > 0 {
				e.WithDetail("Its releases support GNOME Shell %s.", strings.Join(vs, ", "))
			}
			return e.Next("Install its newest release anyway: "+run.Line("bkt", "extension", "add", uuid, "--force"),
				"Record it without installing: "+run.Line("bkt", "extension", "add", uuid, "--pr-only"))
		}
	}
	return nil
}

// similar asks EGO's search for extensions like uuid: by the words of its
// name and by its author's domain, the two halves people mistype. A failed
// search only means no suggestions.
func (d Domain) similar(ctx context.Context, uuid string) []string {
	name, domain, _ := strings.Cut(uuid, "@")
	terms := []string{strings.Join(strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' || r == '.' }), " ")}
	if domain != "" {
		terms = append(terms, domain)
	}
	var found []string
	for _, t := range terms {
		if strings.TrimSpace(t) == "" {
			continue
		}
		hits, err := d.client().Search(ctx, t)
		if err != nil {
			continue
		}
		for _, h := range hits {
			found = append(found, h.UUID)
		}
	}
	return suggest.Closest(uuid, found, 3)
}

// validateKnown checks that each UUID is declared or installed.
func validateKnown(env pipeline.Env, c pipeline.Change) error {
	var known []string
	if env.Root != "" {
		var m manifest.GnomeExtensions
		if err := manifest.Load(env.Root, &m); err != nil {
			return err
		}
		for _, e := range m.Extensions {
			known = append(known, e.UUID)
		}
	}
	inst, err := scanInstalled()
	if err != nil {
		return scanFailed(err, c)
	}
	known = append(known, inst.all()...)
	for _, uuid := range c.IDs {
		if slices.Contains(known, uuid) {
			continue
		}
		e := fail.New(fail.Validation, "Extension '%s' is neither in the manifest nor installed", uuid).
			Suggest(suggest.Closest(uuid, known, 3)...).
			Next("See the extensions: bkt extension list")
		if c.Action != ActRemove {
			e.Next("Install it: " + run.Line("bkt", "extension", "add", uuid))
		}
		return e
	}
	return nil
}

// queryFailed is a failed gsettings query of the org.gnome.shell keys.
func queryFailed(err error, c pipeline.Change) error {
	var nf *run.NotFoundError
	if errors.As(err, &nf) {
		return fail.Wrap(fail.External, err, "Could not read the enabled extensions: %s is not installed", nf.Name).
			Next("Install it (package glib2 / libglib2.0-bin), or record the change only: " + cliLine(c) + " --pr-only")
	}
	if k, ok := gsettings.KindOf(err); ok && k == gsettings.NoSuchSchema {
		return fail.Wrap(fail.External, err, "GNOME Shell's settings schema org.gnome.shell is not installed here").
			Next("Install GNOME Shell (Fedora: gnome-shell; Debian: gnome-shell-common), or record the change only: " + cliLine(c) + " --pr-only")
	}
	return fail.Query(err, "Could not read the enabled extensions (org.gnome.shell)").
		Next("Check the schema is installed: gsettings list-keys org.gnome.shell",
			"See every command bkt runs: bkt -v extension list")
}

func scanFailed(err error, c pipeline.Change) error {
	return fail.Wrap(fail.External, err, "Could not read the installed extensions").
		WithDetail("%v", err).
		Next("Check the directory: ls " + run.Quote(ext.UserDir(ext.DataHome())))
}

// shellUnknown is a failure to learn the Shell's version, which picks the
// release to download.
func shellUnknown(err error, c pipeline.Change) error {
	return fail.Wrap(fail.External, err, "Could not tell which GNOME Shell version runs here").
		WithDetail("%v", err).
		Next("Check that GNOME Shell runs here: gnome-shell --version",
			"Record it without installing: "+cliLine(c)+" --pr-only --force")
}

func cliLine(c pipeline.Change) string {
	return run.Line(append([]string{"bkt", "extension", c.Action}, c.IDs...)...)
}
