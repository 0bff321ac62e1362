package cli

import (
	"net/http"
	"time"

	"github.com/bkt-dev/bkt/internal/run"
	ext "github.com/bkt-dev/bkt/internal/system/extensions"
)

// System is what bkt's commands are built with: the machine they act on
// and the services they talk to. main passes DefaultSystem(); tests build
// one of their own (a run directory without toolbox markers, dnf pointed
// at local repositories, no GNOME Shell). Nothing here is read from the
// environment at the time of use, so no variable can change what a
// production bkt runs beyond the documented user settings (BKT_REPO,
// BKT_GITHUB_API_URL, BKT_EGO_URL, BKT_EGO_TIMEOUT, NO_COLOR...).
type System struct {
	// Runner runs external commands; the -v, delegation and dry-run
	// layers go on top of it.
	Runner run.Runner
	// Now is the clock of the local log's timestamps and of the date in
	// a submitted batch's branch name.
	Now func() time.Time
	// GitHub is the HTTP client of GitHub's API.
	GitHub *http.Client
	// EGO is the extensions.gnome.org client.
	EGO *ext.Client
	// RunDir holds the markers that say bkt runs in a toolbox.
	RunDir string
	// ImageManifests is the image's read-only copy of manifests/ (SPEC §1),
	// which apply --from-image reads.
	ImageManifests string
	// ImageChangelog is the image's copy of changelog.json (SPEC §9),
	// from which changelog motd, changelog ack and status tell what the
	// booted version changed.
	ImageChangelog string
	// AdminPath is the privileged helper bkt doctor checks (SPEC §8).
	AdminPath string
	// DnfArgs go before every dnf command's own arguments; none in
	// production.
	DnfArgs []string
	// ShellVersion is the GNOME Shell version to assume instead of asking
	// gnome-shell --version; "" (production) asks.
	ShellVersion string
}

// githubTimeout bounds one request to GitHub's API.
const githubTimeout = 30 * time.Second

// DefaultSystem is the real machine: what cmd/bkt runs with.
func DefaultSystem() System {
	return System{
		Runner:         run.Exec{},
		Now:            time.Now,
		GitHub:         &http.Client{Timeout: githubTimeout},
		EGO:            ext.NewClient(), // BKT_EGO_URL, BKT_EGO_TIMEOUT: user settings
		RunDir:         run.RunDir,
		ImageManifests: "/usr/share/bkt/manifests",
		ImageChangelog: "/usr/share/bkt/changelog.json",
		AdminPath:      "/usr/bin/bkt-admin",
	}
}
