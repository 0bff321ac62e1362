// Package scaffold writes a new distribution repository from the template
// embedded in bkt (SPEC §5, `bkt init`): repo.json, the host and toolbox
// Containerfiles with every managed section, empty manifests (plus the
// flathub remote), schemas, changelog, CI workflows and a README.
package scaffold

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
)

// DefaultBase is the host image a new distribution builds on.
const DefaultBase = "ghcr.io/ublue-os/bazzite-gnome:stable"

// ToolboxBase is the image the development toolbox builds on.
const ToolboxBase = "registry.fedoraproject.org/fedora-toolbox:43"

// Options says where to write the repository and whose it is.
type Options struct {
	Dir   string // must not exist, or be an empty directory
	Owner string // GitHub owner; default $USER
	Name  string // repository and image name; default the base name of Dir
	Base  string // base image of the Containerfile; default DefaultBase
}

var (
	// GitHub logins: alphanumerics and single inner hyphens, at most 39.
	ownerRE = regexp.MustCompile(`^[A-Za-z0-9](?:-?[A-Za-z0-9])*$`)
	// The name is both a GitHub repository name and an image path
	// component, so it must satisfy the stricter of the two (OCI
	// distribution spec, compared case-insensitively: the image name is
	// lowercased).
	nameRE = regexp.MustCompile(`^[A-Za-z0-9]+(?:(?:[._]|__|-+)[A-Za-z0-9]+)*$`)
	// Image references as FROM accepts them. Restricting the characters
	// keeps the value from breaking out of the ARG line it is written to.
	baseRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/:@-]*$`)
)

// Resolve fills the defaults (owner from $USER, name from Dir's base name,
// DefaultBase) and checks every value, returning a fail.Usage error that
// names the flag to fix. Write calls it; the CLI may call it first to show
// which defaults were used.
func (o Options) Resolve() (Options, error) {
	if strings.TrimSpace(o.Dir) == "" {
		return o, fail.New(fail.Usage, "No directory given for the new repository").
			Next("Name one: bkt init ~/my-os")
	}
	if o.Owner == "" {
		o.Owner = os.Getenv("USER")
		if o.Owner == "" {
			return o, fail.New(fail.Usage, "Cannot tell who owns the new repository on GitHub").
				Next("Name the GitHub owner: bkt init " + run.Quote(o.Dir) + " --owner YOUR-GITHUB-LOGIN")
		}
		if !validOwner(o.Owner) {
			return o, fail.New(fail.Usage, "$USER %q is not a valid GitHub owner, so it cannot be the default", o.Owner).
				Next("Name the GitHub owner: bkt init " + run.Quote(o.Dir) + " --owner YOUR-GITHUB-LOGIN")
		}
	} else if !validOwner(o.Owner) {
		return o, fail.New(fail.Usage, "%q is not a valid GitHub owner", o.Owner).
			WithDetail("A GitHub login has at most 39 letters, digits or single hyphens, and does not start or end with a hyphen.").
			Next("Name the GitHub owner: bkt init " + run.Quote(o.Dir) + " --owner YOUR-GITHUB-LOGIN")
	}
	if o.Name == "" {
		abs, err := filepath.Abs(o.Dir)
		if err != nil {
			return o, fail.Wrap(fail.Usage, err, "Cannot resolve the directory %s", o.Dir).
				Next("Name the repository: bkt init " + run.Quote(o.Dir) + " --name my-os")
		}
		o.Name = filepath.Base(abs)
	}
	if len(o.Name) > 100 || !nameRE.MatchString(o.Name) {
		return o, fail.New(fail.Usage, "%q cannot be both a GitHub repository name and an image name", o.Name).
			WithDetail("Use letters, digits, and '.', '_' or '-' between them.").
			Next("Choose another name: bkt init " + run.Quote(o.Dir) + " --name my-os")
	}
	if o.Base == "" {
		o.Base = DefaultBase
	}
	if !baseRE.MatchString(o.Base) {
		return o, fail.New(fail.Usage, "%q is not an image reference", o.Base).
			Next("Pass one like: bkt init " + run.Quote(o.Dir) + " --base " + DefaultBase)
	}
	return o, nil
}

func validOwner(s string) bool { return len(s) <= 39 && ownerRE.MatchString(s) }

// imageName is where CI pushes the image: registries want lowercase.
func (o Options) imageName() string {
	return strings.ToLower(fmt.Sprintf("ghcr.io/%s/%s", o.Owner, o.Name))
}

// baseImageTags splits the base reference into the image and its tag, as
// base-image-assumptions.json records them (SPEC §11). A reference by
// digest has no tag; one with neither means "latest".
func baseImageTags(ref string) (image string, tags []string) {
	if before, _, ok := strings.Cut(ref, "@"); ok {
		return before, []string{}
	}
	slash := strings.LastIndex(ref, "/")
	if colon := strings.LastIndex(ref, ":"); colon > slash {
		return ref[:colon], []string{ref[colon+1:]}
	}
	return ref, []string{"latest"}
}
