package cli

import (
	"context"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/osinfo"
	"github.com/bkt-dev/bkt/internal/repo"
	"github.com/bkt-dev/bkt/internal/run"
)

// The OS section of bkt status: which image is booted, staged and kept for
// rollback, read from the same `rpm-ostree status --json` the dnf domain
// reads (osinfo.SharedStatus makes it one process).

// startOS reads the OS summary through r while the other queries of
// status run; the returned function waits for it.
func startOS(ctx context.Context, r run.Runner) func() (*osinfo.Summary, error) {
	type answer struct {
		sum *osinfo.Summary
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		sum, err := osinfo.Status(ctx, r)
		ch <- answer{sum, err}
	}()
	return func() (*osinfo.Summary, error) {
		a := <-ch
		return a.sum, a.err
	}
}

// addOS puts the OS summary into st: a failed query under errors["os"],
// and a next step when the booted image is not the repository's.
func addOS(st *statusReport, info repo.Info, sum *osinfo.Summary, err error) {
	if err != nil {
		if st.Errors == nil {
			st.Errors = map[string]string{}
		}
		st.Errors["os"] = fail.As(err).Message
		return
	}
	if sum == nil {
		return
	}
	sum.Mark(osinfo.RepoImage(info.Owner, info.Name))
	st.OS = sum
	if sum.Booted != nil && !*sum.ThisRepo {
		st.NextSteps = append(st.NextSteps, "Boot this repository's image: "+run.Line("bkt", "switch", sum.RepoImage+":latest", "--confirm"))
	}
}

func (a *App) printOS(sum *osinfo.Summary) {
	if sum == nil {
		return
	}
	a.ui.Heading("\nOS")
	row := func(label string, d *osinfo.Deployment) {
		if d == nil {
			return
		}
		line := "  " + label + d.Image
		if d.Version != "" {
			line += " " + d.Version
		}
		a.ui.Printf("%s\n", line)
		if d.Digest != "" {
			a.ui.Printf("            %s\n", d.Digest)
		}
	}
	row("booted    ", sum.Booted)
	row("staged    ", sum.Staged)
	row("rollback  ", sum.Rollback)
	if sum.Staged == nil {
		a.ui.Printf("  nothing staged for the next boot (bkt upgrade --preview)\n")
	}
	if sum.Booted != nil && sum.ThisRepo != nil && !*sum.ThisRepo {
		a.ui.Printf("  ! the booted image is not this repository's image, %s\n", sum.RepoImage)
	}
}
