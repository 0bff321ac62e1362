package cli

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/base"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/oci"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/repo"
)

func (a *App) baseCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "base",
		Short: "What the distribution relies on its base image to ship (manifests/base-image-assumptions.json)",
		Long: `The base image (Bazzite, Bluefin, Fedora Silverblue…) changes under you: a package your
Containerfile or your habits rely on can disappear from a new tag. The assumptions in
manifests/base-image-assumptions.json name those packages and paths, and bkt base verify
checks them against the image in the registry without pulling it: it reads the manifest,
streams only the layers down to the top-most one holding the RPM database, and reads the
packages in Go. The template's CI verifies them on every pull request and daily for
every tag in "tags".

Images are REGISTRY/NAME[:TAG|@DIGEST] (docker:// optional) or oci:DIR[:TAG]. Registry
credentials come from $XDG_RUNTIME_DIR/containers/auth.json (podman login), then
~/.docker/config.json.`,
	})
	cmd.AddCommand(a.baseVerifyCmd(), a.baseAssumeCmd(), a.baseUnassumeCmd(), a.baseListCmd(), a.baseDiffCmd())
	return cmd
}

func (a *App) baseAssumeCmd() *cobra.Command {
	var reason string
	cmd := a.punnedCmd(&cobra.Command{
		Use:   "assume PACKAGE|/PATH...",
		Short: "Add packages (or files) the base image must keep shipping, and open a pull request",
		Long: `Add packages, or files given by their absolute path, to
manifests/base-image-assumptions.json, with a changelog entry, and open a pull request.
Each must be in the base image now (its first tag), read from the registry; --force skips
that check (offline). Nothing changes on this machine.`,
		Example: `  bkt base assume htop --reason "the support scripts call it"
  bkt base assume podman toolbox
  bkt base assume /usr/bin/dnf --reason "the Containerfile installs with dnf"`,
		Args: cobra.MinimumNArgs(1),
	}, func(_ *cobra.Command, args []string) (pipeline.Change, error) {
		c := pipeline.Change{Domain: "base", Action: base.ActAssume, IDs: args}
		if reason != "" {
			c.Options = base.Options{Reason: reason}
		}
		return c, nil
	}, nil)
	cmd.Flags().StringVar(&reason, "reason", "", "why the distribution needs it (kept in the manifest)")
	return cmd
}

func (a *App) baseUnassumeCmd() *cobra.Command {
	return a.actionCmd("base", base.ActUnassume, actionHelp{
		use:   "unassume PACKAGE|/PATH...",
		short: "Drop packages (or files) from the assumptions, and open a pull request",
		long: `Remove packages, or files given by their absolute path, from
manifests/base-image-assumptions.json, with a changelog entry, and open a pull request.
Nothing changes on this machine.`,
		example: `  bkt base unassume htop
  bkt base unassume /usr/bin/dnf`,
	}, nil)
}

// loadAssumptions reads the repository's assumptions.
func (a *App) loadAssumptions() (*manifest.BaseImageAssumptions, *repo.Repo, error) {
	r, err := a.repo()
	if err != nil {
		return nil, nil, err
	}
	var doc manifest.BaseImageAssumptions
	if err := manifest.Load(r.Root, &doc); err != nil {
		return nil, nil, err
	}
	return &doc, r, nil
}

func (a *App) baseListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "Show the base image, its tags and the assumptions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			doc, _, err := a.loadAssumptions()
			if err != nil {
				return err
			}
			if a.json {
				a.emit(doc, nil)
				return nil
			}
			a.printAssumptions(doc)
			return nil
		},
	}
}

func (a *App) printAssumptions(doc *manifest.BaseImageAssumptions) {
	image := doc.Image
	if image == "" {
		image = "(none: set \"image\" in manifests/base-image-assumptions.json)"
	}
	a.ui.Printf("Base image: %s\nTags:       %s\n", image, strings.Join(doc.Tags, ", "))
	if v := doc.LastVerified; v != nil {
		a.ui.Printf("Verified:   %s (%s) at %s\n", v.Tag, v.Digest, v.At)
	}
	a.ui.Printf("\n")
	var rows [][]string
	for _, p := range doc.Packages {
		rows = append(rows, []string{"package", p.Name, p.Reason})
	}
	for _, f := range doc.Files {
		rows = append(rows, []string{"file", f.Path, f.Reason})
	}
	if len(rows) == 0 {
		a.ui.Printf("No assumptions yet.\nAdd one: bkt base assume bootc\n")
		return
	}
	a.ui.Table([]string{"KIND", "NAME", "REASON"}, rows)
}

// verifyResult is the payload of bkt base verify.
type verifyResult struct {
	Verifications []*base.Report `json:"verifications"`
}

func (a *App) baseVerifyCmd() *cobra.Command {
	var tag, image, arch string
	var local, record, allTags bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the assumptions against the base image in the registry, without pulling it",
		Long: `Check every assumption of manifests/base-image-assumptions.json against the base image:
✓ present, ✗ missing. Exit 1 if one fails.

The image is "image" at its first tag, or --tag T, or every tag with --all-tags, or any
--image REF (REGISTRY/NAME[:TAG|@DIGEST], oci:DIR[:TAG]). Nothing is pulled or run: bkt
reads the manifest and streams the layers from the top down to the one holding the RPM
database (few bytes of the image); files are checked in the same layers, whiteouts
included. --local checks the running system instead (one rpm -q).

--record writes "last_verified" (tag, digest, time) into the manifest in your checkout,
after a verification that passed, for you to commit: it records a check, not a change of
the distribution, so it opens no pull request.`,
		Example: `  bkt base verify
  bkt base verify --tag latest
  bkt base verify --all-tags --json
  bkt base verify --image oci:/tmp/bazzite:stable
  bkt base verify --local`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n := 0
			for _, set := range []bool{tag != "", image != "", local, allTags} {
				if set {
					n++
				}
			}
			if n > 1 {
				return usageError(cmd, "--tag, --image, --all-tags and --local each name what to verify: give one")
			}
			if record && (local || allTags || image != "") {
				return usageError(cmd, "--record records a tag of the base image: use it with --tag or alone")
			}
			doc, r, err := a.loadAssumptions()
			if err != nil {
				return err
			}
			reports, err := a.verify(cmd.Context(), doc, tag, image, arch, local, allTags)
			if err == nil {
				err = verifyFailure(reports)
			}
			if err == nil && record {
				err = recordVerified(r.Root, reports[0], a.sys.Now().UTC().Format("2006-01-02T15:04:05Z"))
			}
			if a.json {
				a.emit(verifyResult{Verifications: orEmptySlice(reports)}, err)
				return err
			}
			for _, rep := range reports {
				a.printReport(rep)
			}
			if err == nil && record {
				a.ui.Info("Recorded in manifests/base-image-assumptions.json: commit it with your next change")
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&tag, "tag", "", `a tag of the base image (default: the first of "tags")`)
	f.StringVar(&image, "image", "", "any image instead of the base image")
	f.BoolVar(&allTags, "all-tags", false, `verify every tag in "tags"`)
	f.BoolVar(&local, "local", false, "check the running system instead of an image")
	f.BoolVar(&record, "record", false, `write "last_verified" into the manifest when the verification passes`)
	f.StringVar(&arch, "arch", "", "the architecture of a multi-arch image (default: this machine's)")
	return cmd
}

// verify runs the verifications asked for, every image at once.
func (a *App) verify(ctx context.Context, doc *manifest.BaseImageAssumptions, tag, image, arch string, local, allTags bool) ([]*base.Report, error) {
	if local {
		rep, err := base.VerifyLocal(ctx, a.runner(), doc, "/")
		if err != nil {
			return nil, err
		}
		return []*base.Report{rep}, nil
	}
	type target struct{ ref, tag string }
	var targets []target
	switch {
	case image != "":
		targets = []target{{image, ""}}
	case doc.Image == "":
		return nil, fail.New(fail.Validation, "manifests/base-image-assumptions.json names no base image").
			Next(`Set "image" and "tags" in manifests/base-image-assumptions.json, or verify another: bkt base verify --image REF`)
	case allTags && len(doc.Tags) > 0:
		for _, t := range doc.Tags {
			targets = append(targets, target{doc.Image + ":" + t, t})
		}
	default:
		t := tag
		if t == "" {
			t = doc.TagOrDefault()
		}
		targets = []target{{doc.Image + ":" + t, t}}
	}
	reports := make([]*base.Report, len(targets))
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() { reports[i], errs[i] = base.Verify(ctx, doc, t.ref, t.tag, oci.Options{Arch: arch}) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return reports, nil
}

// verifyFailure is the error (exit 1) of reports where an assumption
// failed.
func verifyFailure(reports []*base.Report) error {
	var failed, total int
	var where []string
	for _, r := range reports {
		failed += r.Failed
		total += len(r.Checks)
		if r.Failed > 0 {
			where = append(where, cmpOr(r.Image, "this system"))
		}
	}
	if failed == 0 {
		return nil
	}
	var broken []string
	for _, r := range reports {
		for _, c := range r.Checks {
			if !c.OK {
				broken = append(broken, c.Name)
			}
		}
	}
	e := fail.New(fail.General, "%d of %d base-image assumptions fail on %s", failed, total, strings.Join(where, ", ")).
		WithDetail("Missing: %s", strings.Join(broken, ", "))
	return e.Next("Install what went missing in the Containerfile (bkt dnf install PACKAGE), then drop the assumption: bkt base unassume PACKAGE",
		"Or pin the base image to a tag that still has it (ARG BASE_IMAGE in the Containerfile)")
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func recordVerified(root string, rep *base.Report, at string) error {
	var doc manifest.BaseImageAssumptions
	_, err := manifest.Edit(root, &doc, func() error {
		doc.LastVerified = &manifest.BaseVerified{Tag: rep.Tag, Digest: rep.Digest, At: at}
		return nil
	}, true)
	return err
}

func (a *App) printReport(r *base.Report) {
	if r.Local {
		a.ui.Heading("This system")
	} else {
		a.ui.Heading(fmt.Sprintf("%s (%s)", r.Image, r.Digest))
	}
	if len(r.Checks) == 0 {
		a.ui.Printf("No assumptions to check.\nAdd one: bkt base assume bootc\n")
	}
	for _, c := range r.Checks {
		what := c.Kind + " " + c.Name
		if c.Version != "" {
			what += " " + c.Version
		}
		if c.Reason != "" {
			what += " — " + c.Reason
		}
		if c.OK {
			a.ui.Done("%s", what)
		} else {
			a.ui.Failed("%s: missing", what)
		}
	}
	if !r.Local {
		a.ui.Info("read %d of %d layers: %s of %s", r.LayersRead, r.Layers, humanBytes(r.BytesRead), humanBytes(r.ImageSize))
	}
}

// humanBytes is n in B, kB, MB or GB (powers of 1000, as registries show
// sizes).
func humanBytes(n int64) string {
	const k = 1000
	switch {
	case n < k:
		return fmt.Sprintf("%d B", n)
	case n < k*k:
		return fmt.Sprintf("%.1f kB", float64(n)/k)
	case n < k*k*k:
		return fmt.Sprintf("%.1f MB", float64(n)/(k*k))
	}
	return fmt.Sprintf("%.2f GB", float64(n)/(k*k*k))
}

// diffResult is the payload of bkt base diff.
type diffResult struct {
	Old     string       `json:"old"`
	New     string       `json:"new"`
	Changes []oci.Change `json:"changes"`
}

func (a *App) baseDiffCmd() *cobra.Command {
	var arch string
	cmd := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "List the packages added, removed, upgraded and downgraded between two images",
		Long: `Compare the RPM databases of two images, read from the registry without pulling them.
OLD and NEW are image references (REGISTRY/NAME[:TAG|@DIGEST], oci:DIR[:TAG]) or, in a
repository, tags of its base image.`,
		Example: `  bkt base diff stable latest
  bkt base diff ghcr.io/ublue-os/bazzite:41 ghcr.io/ublue-os/bazzite:42`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			refs, err := a.diffRefs(args)
			if err != nil {
				return err
			}
			pkgs, err := readPackagesOf(cmd.Context(), refs, arch)
			if err != nil {
				return err
			}
			changes := oci.Diff(pkgs[0], pkgs[1])
			if a.json {
				a.emit(diffResult{Old: refs[0], New: refs[1], Changes: orEmptySlice(changes)}, nil)
				return nil
			}
			if len(changes) == 0 {
				a.ui.Printf("No package differs between %s and %s.\n", refs[0], refs[1])
				return nil
			}
			rows := make([][]string, 0, len(changes))
			counts := map[string]int{}
			for _, c := range changes {
				counts[c.Kind]++
				rows = append(rows, []string{c.Kind, c.Name, c.Arch, c.Old, c.New})
			}
			a.ui.Table([]string{"CHANGE", "PACKAGE", "ARCH", "OLD", "NEW"}, rows)
			a.ui.Printf("\n%d added, %d removed, %d upgraded, %d downgraded\n",
				counts["added"], counts["removed"], counts["upgraded"], counts["downgraded"])
			return nil
		},
	}
	cmd.Flags().StringVar(&arch, "arch", "", "the architecture of multi-arch images (default: this machine's)")
	return cmd
}

// diffRefs makes a bare tag (no "/", ":" or "@") a tag of the
// repository's base image.
func (a *App) diffRefs(args []string) ([]string, error) {
	refs := make([]string, len(args))
	for i, s := range args {
		refs[i] = s
		if strings.ContainsAny(s, "/:@") {
			continue
		}
		doc, _, err := a.loadAssumptions()
		if err != nil {
			return nil, err
		}
		if doc.Image == "" {
			return nil, fail.New(fail.Usage, "%q is a tag, but manifests/base-image-assumptions.json names no base image", s).
				Next("Give whole references: bkt base diff REGISTRY/NAME:OLD REGISTRY/NAME:NEW")
		}
		refs[i] = doc.Image + ":" + s
	}
	return refs, nil
}

// readPackagesOf reads the packages of every image of refs at once.
func readPackagesOf(ctx context.Context, refs []string, arch string) ([][]oci.Package, error) {
	pkgs := make([][]oci.Package, len(refs))
	errs := make([]error, len(refs))
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Go(func() { pkgs[i], errs[i] = readPackages(ctx, ref, arch) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err // the first image's error; the other often repeats it
		}
	}
	return pkgs, nil
}

func readPackages(ctx context.Context, ref, arch string) ([]oci.Package, error) {
	im, err := oci.Open(ctx, ref, oci.Options{Arch: arch})
	if err != nil {
		return nil, err
	}
	c, err := im.Read(ctx, nil)
	if err != nil {
		return nil, err
	}
	return c.Packages, nil
}
