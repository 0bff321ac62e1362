package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/forge"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/upstream"
)

func (a *App) upstreamCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "upstream",
		Short: "Third-party downloads pinned with a sha256 (upstream/manifest.json)",
		Long: `Binaries, fonts and themes the image downloads from outside Fedora, each pinned to a version,
a download URL and its sha256 in upstream/manifest.json. The Containerfile's UPSTREAM section
has one RUN per pin that downloads the URL, checks it with sha256sum -c and installs it, so a
download whose bytes changed fails the build.

Versions come from a GitHub repository's releases (--github OWNER/REPO, with --asset naming
the file) or tags (--tag), or from a URL template alone (--url). A pin's policy says how far
bkt upstream update may move it:
  pin    never
  patch  within the same major.minor (1.2.3 → 1.2.4)
  minor  within the same major (1.2.3 → 1.3.0); below 1.0 a minor bump is breaking, so
         0.3.0 moves to 0.3.5 but not 0.4.0
  major  to anything newer
Versions that are not semver (dates, commits) move only under major, by release date.

GitHub is asked at api.github.com (or BKT_GITHUB_API_URL), concurrently, with conditional
requests whose answers are cached under $XDG_CACHE_HOME/bkt/github; a token (GH_TOKEN,
GITHUB_TOKEN or gh auth token) is used when there is one, and public repositories work
without. Downloads never carry a token.`,
	})
	cmd.AddCommand(a.upstreamListCmd(), a.upstreamCheckCmd(), a.upstreamAddCmd(), a.upstreamRemoveCmd(),
		a.upstreamPinCmd(), a.upstreamUpdateCmd(), a.upstreamLockCmd(), a.upstreamVerifyCmd(), a.upstreamMigrateCmd())
	return cmd
}

// upstreamGitHub is the GitHub client of the upstream pins: the public API
// (forge.NewPublic), whatever the repository's origin.
func (a *App) upstreamGitHub() *upstream.GitHub {
	return upstream.NewGitHub(forge.NewPublic(a.runner(), a.sys.GitHub), a.sys.GitHub)
}

// upstreamPins loads the manifest of the repository and picks the pins
// named (all when names is empty); an unknown name is an error.
func (a *App) upstreamPins(names []string) ([]manifest.Upstream, error) {
	r, err := a.repo()
	if err != nil {
		return nil, err
	}
	var m manifest.Upstreams
	if err := manifest.Load(r.Root, &m); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return m.Upstreams, nil
	}
	var picked []manifest.Upstream
	for _, n := range names {
		p := m.Find(n)
		if p == nil {
			return nil, upstream.NotPinned(n, m.Names())
		}
		picked = append(picked, *p)
	}
	return picked, nil
}

// upstreamListResult is the payload of bkt upstream list.
type upstreamListResult struct {
	Upstreams []manifest.Upstream `json:"upstreams"`
}

func (a *App) upstreamListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "Show the pins of upstream/manifest.json",
		Long: `Show every pin: its version, policy, source and where it is installed. LOCKED is ✓ when the
pin has a download URL and a sha256 (the build installs it), ✗ when bkt upstream lock must
fill them in first.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pins, err := a.upstreamPins(nil)
			if err != nil {
				return err
			}
			if a.json {
				a.emit(upstreamListResult{Upstreams: orEmptySlice(pins)}, nil)
				return nil
			}
			if len(pins) == 0 {
				a.ui.Printf("No pins in upstream/manifest.json.\nAdd one: bkt upstream add starship --github starship/starship --asset 'starship-x86_64-unknown-linux-gnu.tar.gz' --install archive --path /usr/bin\n")
				return nil
			}
			rows := make([][]string, 0, len(pins))
			for _, p := range pins {
				locked := "✓"
				if !p.Locked() {
					locked = "✗"
				}
				src := p.Source.Type
				if p.Source.Repo != "" {
					src += " " + p.Source.Repo
				}
				rows = append(rows, []string{locked, p.Name, p.Version, p.Policy, src, p.Install.Type + " " + p.Install.Path})
			}
			a.ui.Table([]string{"LOCKED", "NAME", "VERSION", "POLICY", "SOURCE", "INSTALL"}, rows)
			return nil
		},
	}
}

// upstreamCheckResult is the payload of bkt upstream check.
type upstreamCheckResult struct {
	Upstreams []upstream.Status `json:"upstreams"`
}

func (a *App) upstreamCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check [NAME...]",
		Short: "Show which pins have newer versions, and which of them their policy allows",
		Long: `Ask GitHub what each pin's source offers (all pins at once) and compare with the pinned
version under the pin's policy:
  ✓ up to date
  ↑ v1.2.4 (patch, allowed)                     bkt upstream update moves the pin there
  ⚠ v2.0.0 (major, blocked by policy minor)     newer, but the policy does not allow it
  ? why the source could not be asked
--json gives, per pin, the current version, the newest allowed and the newest of all, with
the kind of each move. Exits 7 when GitHub cannot be asked (rate limit, network).`,
		Example: `  bkt upstream check
  bkt upstream check starship --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			pins, err := a.upstreamPins(args)
			if err != nil {
				return err
			}
			gh := a.upstreamGitHub()
			st := upstream.Check(pins, gh.Offers(cmd.Context(), pins))
			err = firstStatusErr(st)
			if a.json {
				a.emit(upstreamCheckResult{Upstreams: orEmptySlice(st)}, err)
				return err
			}
			a.printUpstreamCheck(st)
			return err
		},
	}
}

// firstStatusErr is the error of the first pin whose source could not be
// asked: a rate limit or an unreachable GitHub decides the exit code.
func firstStatusErr(st []upstream.Status) error {
	for _, s := range st {
		if s.Err != nil {
			return s.Err
		}
	}
	return nil
}

func (a *App) printUpstreamCheck(st []upstream.Status) {
	if len(st) == 0 {
		a.ui.Printf("No pins in upstream/manifest.json.\n")
		return
	}
	rows := make([][]string, 0, len(st))
	updates := 0
	for _, s := range st {
		var marks []string
		switch s.State {
		case upstream.StateCurrent:
			marks = append(marks, "✓ up to date")
		case upstream.StateUnknown:
			marks = append(marks, "? "+s.Problem)
		}
		if s.Allowed != "" {
			updates++
			marks = append(marks, fmt.Sprintf("↑ %s (%s, allowed)", s.Allowed, s.AllowedKind))
		}
		if s.Newest != "" && s.Newest != s.Allowed {
			marks = append(marks, fmt.Sprintf("⚠ %s (%s, blocked by policy %s)", s.Newest, s.NewestKind, s.Policy))
		}
		rows = append(rows, []string{s.Name, s.Current, s.Policy, strings.Join(marks, "  ")})
	}
	a.ui.Table([]string{"NAME", "PINNED", "POLICY", "AVAILABLE"}, rows)
	if updates > 0 {
		a.ui.Printf("\nMove them within their policies: bkt upstream update --all\n")
	}
}

// upstreamChangesCmd is a mutating upstream command whose changes are
// computed on the network first (versions, URLs, checksums), then go
// through the pipeline as one unit: one commit, one pull request.
func (a *App) upstreamChangesCmd(cmd *cobra.Command, action string, changes func(cmd *cobra.Command, args []string) ([]pipeline.Change, error)) *cobra.Command {
	var m modeFlags
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		cs, err := changes(cmd, args)
		if err != nil || len(cs) == 0 {
			return err
		}
		return a.punnedMany(cmd, pipeline.Label{Domain: "upstream", Action: action}, cs, &m)
	}
	m.register(cmd)
	return cmd
}

func (a *App) upstreamAddCmd() *cobra.Command {
	var repo, asset, urlTmpl, policy, install, path, version string
	var tag, pre bool
	var strip int
	var extract []string
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Pin a download at its newest version, lock its sha256, and open a pull request",
		Long: `Add a pin to upstream/manifest.json. With --github, bkt reads the repository's releases
(or its tags with --tag), takes the newest version (or --version), finds the asset --asset
matches, and locks its sha256 (GitHub's digest of the asset, else by downloading it). A
release or asset that does not exist is an error that lists what there is.

--asset is a glob of the asset's name; {version} stands for the version without a leading v
and {tag} for the tag: 'lazygit_{version}_Linux_x86_64.tar.gz'. --url TEMPLATE downloads
from a URL of your own instead (same placeholders, and {commit}); without --github it is
the only source and --version is required.

--install says what the download is: binary (installed with mode 0755 at --path, default
/usr/bin/NAME), archive (a tar archive extracted into --path, with --strip and --extract)
or file (installed with mode 0644 at --path).`,
		Example: `  bkt upstream add starship --github starship/starship --asset 'starship-x86_64-unknown-linux-gnu.tar.gz' --install archive --path /usr/bin --extract starship
  bkt upstream add lazygit --github jesseduffield/lazygit --asset 'lazygit_{version}_Linux_x86_64.tar.gz' --install archive --path /usr/bin --extract lazygit --policy patch
  bkt upstream add keyd --github rvaiya/keyd --tag --install archive --path /usr/src/keyd --strip 1
  bkt upstream add font --url 'https://example.com/font-{version}.tar.gz' --version 2.1 --install archive --path /usr/share/fonts/font`,
		Args: cobra.ExactArgs(1),
	}
	a.upstreamChangesCmd(cmd, upstream.ActAdd, func(cmd *cobra.Command, args []string) ([]pipeline.Change, error) {
		name := args[0]
		if err := manifest.UpstreamName.Check(name); err != nil {
			return nil, usageError(cmd, "%v", err)
		}
		if repo == "" && urlTmpl == "" {
			return nil, usageError(cmd, "upstream add needs --github OWNER/REPO or --url TEMPLATE")
		}
		p := manifest.Upstream{Name: name, Policy: policy, Prerelease: pre,
			Install: manifest.UpstreamInstall{Type: install, Path: path, Extract: extract, Strip: strip}}
		switch {
		case repo == "":
			if version == "" {
				return nil, usageError(cmd, "--url without --github needs --version: there are no releases to pick from")
			}
			p.Source = manifest.UpstreamSource{Type: manifest.SourceURL, URL: urlTmpl}
		case tag:
			p.Source = manifest.UpstreamSource{Type: manifest.SourceTag, Repo: repo, URL: urlTmpl}
		default:
			if asset == "" && urlTmpl == "" {
				return nil, usageError(cmd, "--github without --tag needs --asset GLOB (the release file to download) or --url TEMPLATE")
			}
			p.Source = manifest.UpstreamSource{Type: manifest.SourceRelease, Repo: repo, Asset: asset, URL: urlTmpl}
		}
		if p.Install.Path == "" && p.Install.Type == manifest.InstallBinary {
			p.Install.Path = "/usr/bin/" + name
		}
		if p.Install.Path == "" {
			return nil, usageError(cmd, "--install %s needs --path", install)
		}
		if err := upstream.CheckEntry(withPlaceholders(p)); err != nil {
			return nil, err
		}
		if p.Source.Repo != "" {
			if err := manifest.GitHubRepo.Check(repo); err != nil {
				return nil, usageError(cmd, "%v", err)
			}
		}
		gh := a.upstreamGitHub()
		off := upstream.OfferFor(gh.Offers(cmd.Context(), []manifest.Upstream{p}), p)
		if version == "" {
			if off.Err != nil {
				return nil, off.Err
			}
			c := upstream.Newest(off.Candidates(), pre)
			if c == nil {
				return nil, fail.New(fail.Validation, "%s has no %s to pin", repo, map[bool]string{true: "tags", false: "releases"}[tag]).
					Next(map[bool]string{true: "Pin a commit: --version COMMIT", false: "Use its tags instead: --tag"}[tag])
			}
			version = c.Tag
		}
		p, err := gh.Resolve(cmd.Context(), p, version, off)
		if err != nil {
			return nil, err
		}
		a.ui.Info("upstream %s: %s, sha256 %s", name, p.Version, p.SHA256)
		return []pipeline.Change{{Domain: "upstream", Action: upstream.ActAdd, IDs: []string{name}, Options: upstream.EntryOptions(p)}}, nil
	})
	f := cmd.Flags()
	f.StringVar(&repo, "github", "", "the GitHub repository OWNER/REPO whose releases (or tags) give the versions")
	f.StringVar(&asset, "asset", "", "glob of the release asset to download; {version} and {tag} stand for the version")
	f.BoolVar(&tag, "tag", false, "take versions from the repository's tags and download the tag's source (or --url)")
	f.StringVar(&urlTmpl, "url", "", "download URL template with {version}, {tag} or {commit}")
	f.StringVar(&version, "version", "", "the version to pin (default: the newest)")
	f.StringVar(&policy, "policy", upstream.PolicyMinor, "how far bkt upstream update may move it: pin, patch, minor or major")
	f.StringVar(&install, "install", manifest.InstallBinary, "binary, archive or file")
	f.StringVar(&path, "path", "", "where it is installed in the image (binary default: /usr/bin/NAME)")
	f.IntVar(&strip, "strip", 0, "leading path components removed from an archive's members")
	f.StringSliceVar(&extract, "extract", nil, "archive members to extract (default: all)")
	f.BoolVar(&pre, "prerelease", false, "allow pre-releases")
	return cmd
}

// withPlaceholders is p with a stand-in version, so its values can be
// checked before GitHub is asked.
func withPlaceholders(p manifest.Upstream) manifest.Upstream {
	p.Version = "0"
	return p
}

func (a *App) upstreamRemoveCmd() *cobra.Command {
	return a.actionCmd("upstream", upstream.ActRemove, actionHelp{
		use:     "remove NAME...",
		aliases: []string{"rm"},
		short:   "Drop pins from upstream/manifest.json (and the UPSTREAM section), and open a pull request",
	}, nil)
}

func (a *App) upstreamPinCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pin NAME VERSION",
		Short: "Move a pin to VERSION, lock it there (policy pin), and open a pull request",
		Long: `Set the pin to VERSION (a release or tag of its source, or a commit of a --tag source), lock
its download URL and sha256, and set its policy to pin so bkt upstream update leaves it there.
A version the source does not offer is an error with the closest ones.`,
		Example: `  bkt upstream pin starship v1.23.0`,
		Args:    cobra.ExactArgs(2),
	}
	return a.upstreamChangesCmd(cmd, upstream.ActPin, func(cmd *cobra.Command, args []string) ([]pipeline.Change, error) {
		pins, err := a.upstreamPins(args[:1])
		if err != nil {
			return nil, err
		}
		if err := manifest.UpstreamVersion.Check(args[1]); err != nil {
			return nil, usageError(cmd, "%v", err)
		}
		gh := a.upstreamGitHub()
		p := pins[0]
		q, err := gh.Resolve(cmd.Context(), p, args[1], upstream.OfferFor(gh.Offers(cmd.Context(), pins), p))
		if err != nil {
			return nil, err
		}
		return []pipeline.Change{upstream.LockChange(upstream.ActPin, []manifest.Upstream{q})}, nil
	})
}

func (a *App) upstreamUpdateCmd() *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "update [NAME...|--all]",
		Short: "Move pins to the newest version their policy allows, in one pull request",
		Long: `Move the named pins (or every pin with --all) to the newest version their policy allows (see
bkt upstream check), and lock each: version, URL and sha256 in upstream/manifest.json, the
UPSTREAM section of the Containerfile and a changelog entry, all in one commit and one pull
request.`,
		Example: `  bkt upstream update starship
  bkt upstream update --all --dry-run`,
	}
	cmd.Flags().BoolVar(&all, "all", false, "every pin")
	return a.upstreamChangesCmd(cmd, upstream.ActUpdate, func(cmd *cobra.Command, args []string) ([]pipeline.Change, error) {
		if len(args) == 0 && !all {
			return nil, usageError(cmd, "name the pins to update, or --all")
		}
		if len(args) > 0 && all {
			return nil, usageError(cmd, "--all updates every pin: drop the names, or --all")
		}
		pins, err := a.upstreamPins(args)
		if err != nil {
			return nil, err
		}
		gh := a.upstreamGitHub()
		offers := gh.Offers(cmd.Context(), pins)
		st := upstream.Check(pins, offers)
		if err := firstStatusErr(st); err != nil {
			return nil, err
		}
		var moving []manifest.Upstream
		var versions []string
		for i, s := range st {
			if s.Allowed != "" {
				moving = append(moving, pins[i])
				versions = append(versions, s.Allowed)
			}
		}
		if len(moving) == 0 {
			a.upstreamNothing("every pin is up to date within its policy", st)
			return nil, nil
		}
		return a.resolveAll(cmd.Context(), gh, upstream.ActUpdate, moving, versions, offers)
	})
}

// upstreamNothing says a command found nothing to change.
func (a *App) upstreamNothing(msg string, st []upstream.Status) {
	if a.json {
		a.emit(upstreamCheckResult{Upstreams: orEmptySlice(st)}, nil)
		return
	}
	a.ui.Done("%s", msg)
}

// resolveAll resolves the pins at their versions and makes the one change
// that moves those that move, saying what each does.
func (a *App) resolveAll(ctx context.Context, gh *upstream.GitHub, action string, pins []manifest.Upstream, versions []string, offers map[string]*upstream.Offer) ([]pipeline.Change, error) {
	moves, err := gh.ResolveAll(ctx, pins, versions, offers)
	if err != nil || len(moves) == 0 {
		return nil, err
	}
	moving := make([]manifest.Upstream, 0, len(moves))
	for _, m := range moves {
		if !a.json {
			if action == upstream.ActLock {
				a.ui.Info("upstream %s: sha256 %s → sha256 %s", m.From.Name, orNone(m.From.SHA256), m.To.SHA256)
			} else {
				a.ui.Info("upstream %s: %s → %s", m.From.Name, m.From.Version, m.To.Version)
			}
		}
		moving = append(moving, m.To)
	}
	return []pipeline.Change{upstream.LockChange(action, moving)}, nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func (a *App) upstreamLockCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lock [NAME...]",
		Short: "Fill in the download URL and sha256 of pins at their versions, in one pull request",
		Long: `Resolve each pin (all, or those named) at its current version: its download URL and its
sha256, taken from GitHub's digest of the release asset when GitHub gives one, else computed
by downloading it. Pins whose URL or sha256 change are committed in one pull request; use it
after bkt upstream migrate or a hand edit of upstream/manifest.json.`,
		Example: `  bkt upstream lock
  bkt upstream lock keyd`,
	}
	return a.upstreamChangesCmd(cmd, upstream.ActLock, func(cmd *cobra.Command, args []string) ([]pipeline.Change, error) {
		pins, err := a.upstreamPins(args)
		if err != nil {
			return nil, err
		}
		gh := a.upstreamGitHub()
		versions := make([]string, len(pins))
		for i, p := range pins {
			versions[i] = p.Version
		}
		changes, err := a.resolveAll(cmd.Context(), gh, upstream.ActLock, pins, versions, gh.Offers(cmd.Context(), pins))
		if err == nil && len(changes) == 0 {
			a.upstreamNothing("every pin is locked at its version", nil)
		}
		return changes, err
	})
}

// upstreamVerifyResult is the payload of bkt upstream verify.
type upstreamVerifyResult struct {
	Upstreams []upstream.Verified `json:"upstreams"`
}

func (a *App) upstreamVerifyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "verify [NAME...]",
		Short: "Download pins and compare with their locked sha256; exit 1 naming any that differ",
		Long: `Download each pin's URL (all, or those named) and compare the sha256 of its bytes with the
one locked in upstream/manifest.json, as the image build will. Exit 1 naming the pins whose
bytes differ or that are not locked; exit 7 when a download fails.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			pins, err := a.upstreamPins(args)
			if err != nil {
				return err
			}
			res, netErr := a.upstreamGitHub().Verify(cmd.Context(), pins)
			var bad []string
			for _, v := range res {
				if !v.OK {
					bad = append(bad, v.Name)
				}
			}
			var outErr error
			if len(bad) > 0 {
				outErr = fail.New(fail.General, "upstream %s: the download does not match the locked sha256", strings.Join(bad, ", ")).
					Next("If the new bytes are expected (the release was re-uploaded), lock them again: bkt upstream lock "+strings.Join(bad, " "),
						"Otherwise leave the lock: the image build refuses these bytes")
			}
			if netErr != nil {
				outErr = netErr // a failed download says nothing about the lock
			}
			if a.json {
				a.emit(upstreamVerifyResult{Upstreams: orEmptySlice(res)}, outErr)
				return outErr
			}
			for _, v := range res {
				switch {
				case v.OK:
					a.ui.Done("%s: sha256 %s matches", v.Name, v.Got)
				case v.Got != "":
					a.ui.Failed("%s: downloaded sha256 %s, locked %s", v.Name, v.Got, v.Locked)
				default:
					a.ui.Failed("%s: %s", v.Name, v.Error)
				}
			}
			return outErr
		},
	}
}

func (a *App) upstreamMigrateCmd() *cobra.Command {
	var maps []string
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Move legacy upstream/*.version|*.ref|*.sha256 files into upstream/manifest.json",
		Long: `Read the loose pin files of a distribution that predates bkt — upstream/NAME.version,
NAME.ref (a tag or commit) and NAME.sha256 — into upstream/manifest.json, and delete them in the
same commit. bkt knows the repositories of well-known pins (starship, lazygit, bibata, getnf,
keyd, whitesur-icons); name any other with --map NAME=OWNER/REPO. It asks nothing: a pin
whose repository is unknown stops the migration with the --map to add. upstream/*.digest (a
base image's digest, not a download) is left for the base-image commands. Pins without a
sha256 are migrated unlocked: run bkt upstream lock next.`,
		Example: `  bkt upstream migrate
  bkt upstream migrate --map mytool=me/mytool`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringArrayVar(&maps, "map", nil, "the GitHub repository of a legacy pin: NAME=OWNER/REPO (repeatable)")
	return a.upstreamChangesCmd(cmd, upstream.ActMigrate, func(cmd *cobra.Command, _ []string) ([]pipeline.Change, error) {
		r, err := a.repo()
		if err != nil {
			return nil, err
		}
		mapFlag := strings.Join(maps, ",")
		l, err := upstream.ReadLegacy(r.Root, mapFlag)
		if err != nil {
			return nil, err
		}
		if !a.json {
			for _, d := range l.Digests {
				a.ui.Info("%s is a base image's digest, not a download: left in place for the base-image commands (bkt base)", d)
			}
		}
		if len(l.Pins) == 0 {
			a.upstreamNothing("no legacy upstream/*.version, *.ref or *.sha256 files to migrate", nil)
			return nil, nil
		}
		var names, unlocked []string
		for _, p := range l.Pins {
			names = append(names, p.Name)
			if !p.Locked() {
				unlocked = append(unlocked, p.Name)
			}
		}
		if len(unlocked) > 0 && !a.json {
			a.ui.Info("%d pins have no download URL or sha256 yet (%s): after this, run bkt upstream lock", len(unlocked), strings.Join(unlocked, ", "))
		}
		return []pipeline.Change{{Domain: "upstream", Action: upstream.ActMigrate, IDs: names, Options: upstream.Options{Map: mapFlag}}}, nil
	})
}
