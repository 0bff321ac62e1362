package cli

import (
	"context"

	"github.com/bkt-dev/bkt/internal/changelog"
	"github.com/bkt-dev/bkt/internal/ui"
)

// The changelog section of bkt status (SPEC §5, §9): what the booted
// version changed, from the image's changelog, and its manual steps this
// user has not marked done.

// statusChangelog is status's changelog source. An image without a
// changelog (not built by bkt, or a development machine) shows no section
// and asks rpm-ostree nothing.
func (a *App) statusChangelog(ctx context.Context) (*changelog.News, error) {
	st, err := changelog.LoadState(statePath())
	if err != nil {
		return nil, err
	}
	return changelog.Booted(ctx, a.runner(), a.sys.ImageChangelog, st)
}

func (a *App) printStatusChangelog(n *changelog.News) {
	if n == nil {
		return
	}
	a.ui.Heading("\nChangelog (booted " + n.Version + ", " + n.Date + ")")
	a.printEntries(n.Entries)
	if steps := n.PendingSteps(); len(steps) > 0 {
		a.ui.Printf("  Manual steps not done yet (then: bkt changelog ack):\n")
		for _, s := range steps {
			a.ui.Printf("    - %s\n", ui.CleanLine(s))
		}
	}
}
