package osinfo

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/system/bootc"
	"github.com/bkt-dev/bkt/internal/system/rpmostree"
)

// Summary is the OS section of bkt status: the deployments, and whether
// the booted one is this repository's image.
type Summary struct {
	Booted   *Deployment `json:"booted,omitempty"`
	Staged   *Deployment `json:"staged,omitempty"`
	Rollback *Deployment `json:"rollback,omitempty"`
	// RollbackQueued is set when the next boot goes to the rollback
	// deployment (bootc rollback ran).
	RollbackQueued bool `json:"rollback_queued,omitempty"`
	// Available is a newer image bootc upgrade --check found and did not
	// download yet (bootc only).
	Available *Deployment `json:"available,omitempty"`
	// RepoImage is the image this repository's CI pushes; ThisRepo says
	// whether the booted deployment runs it (false: still the base image,
	// or another distribution's). Both are unset without a repository.
	RepoImage string `json:"repo_image,omitempty"`
	ThisRepo  *bool  `json:"this_repo_image,omitempty"`
}

// Deployment is one image on disk.
type Deployment struct {
	// Image is the reference it follows, without ostree's transport
	// prefix (ghcr.io/me/my-os:latest).
	Image   string `json:"image"`
	Version string `json:"version,omitempty"`
	Digest  string `json:"digest,omitempty"`
	// Time is when the image was built, RFC 3339.
	Time string `json:"time,omitempty"`
}

// RepoImage is where a repository's CI pushes its image: ghcr.io/OWNER/NAME
// in lower case, as bkt init writes it into the workflows.
func RepoImage(owner, name string) string {
	return strings.ToLower("ghcr.io/" + owner + "/" + name)
}

// FromRpmOstree reads the deployments of `rpm-ostree status --json`: the
// booted one, a staged or pending one listed before it, and the one after
// it (what rpm-ostree rollback would boot).
func FromRpmOstree(st *rpmostree.Status) Summary {
	var s Summary
	booted := slices.IndexFunc(st.Deployments, func(d rpmostree.Deployment) bool { return d.Booted })
	for i := range st.Deployments {
		d := fromRpmOstree(&st.Deployments[i])
		switch {
		case i == booted:
			s.Booted = d
		case booted < 0 || i < booted:
			if s.Staged == nil {
				s.Staged = d
			}
		case s.Rollback == nil:
			s.Rollback = d
		}
	}
	return s
}

func fromRpmOstree(d *rpmostree.Deployment) *Deployment {
	out := &Deployment{Image: PlainRef(d.ContainerImageReference), Version: d.Version, Digest: d.ContainerImageReferenceDigest}
	if out.Image == "" {
		out.Image = d.Origin
	}
	if d.Timestamp > 0 {
		out.Time = time.Unix(d.Timestamp, 0).UTC().Format(time.RFC3339)
	}
	return out
}

// FromBootc reads the deployments of `bootc status --json`.
func FromBootc(h *bootc.Host) Summary {
	s := Summary{Booted: fromBootc(h.Status.Booted), Staged: fromBootc(h.Status.Staged),
		Rollback: fromBootc(h.Status.Rollback), RollbackQueued: h.Status.RollbackQueued}
	if b := h.Status.Booted; b != nil && b.CachedUpdate != nil {
		s.Available = fromImage(b.CachedUpdate)
	}
	return s
}

// Next is the image the next boot (or the next upgrade) brings: the
// staged one, else the update bootc found, else none.
func (s Summary) Next() *Deployment {
	if s.Staged != nil {
		return s.Staged
	}
	return s.Available
}

func fromBootc(e *bootc.BootEntry) *Deployment {
	if e == nil || e.Image == nil {
		return nil
	}
	return fromImage(e.Image)
}

func fromImage(i *bootc.ImageStatus) *Deployment {
	return &Deployment{Image: i.Image.Image, Version: i.Version, Digest: i.ImageDigest, Time: i.Timestamp}
}

// Mark sets RepoImage and ThisRepo for the repository's image.
func (s *Summary) Mark(repoImage string) {
	s.RepoImage = repoImage
	this := s.Booted != nil && bootc.ImageName(s.Booted.Image) == repoImage
	s.ThisRepo = &this
}

// PlainRef is an ostree image reference without its transport prefix
// ("ostree-image-signed:docker://ghcr.io/me/os:latest" →
// "ghcr.io/me/os:latest").
func PlainRef(ref string) string {
	if i := strings.LastIndex(ref, "://"); i >= 0 {
		return ref[i+3:]
	}
	if strings.HasPrefix(ref, "ostree-") {
		if _, rest, ok := strings.Cut(ref, ":"); ok {
			return rest
		}
	}
	return ref
}

// SharedStatus wraps a runner so that `rpm-ostree status --json` runs once
// however many parts of one command ask for it (bkt status's dnf domain
// and its OS section ask at the same time): the later callers wait for
// the first one's answer.
func SharedStatus(next run.Runner) run.Runner { return &shared{next: next} }

type shared struct {
	next run.Runner
	mu   sync.Mutex
	once *onceResult
}

type onceResult struct {
	done chan struct{}
	res  run.Result
	err  error
}

func (s *shared) Run(ctx context.Context, c run.Cmd) (run.Result, error) {
	if c.Name != rpmostree.Program || c.Mutates || !slices.Equal(c.Args, []string{"status", "--json"}) {
		return s.next.Run(ctx, c)
	}
	s.mu.Lock()
	o := s.once
	first := o == nil
	if first {
		o = &onceResult{done: make(chan struct{})}
		s.once = o
	}
	s.mu.Unlock()
	if first {
		o.res, o.err = s.next.Run(ctx, c)
		close(o.done)
	}
	select {
	case <-o.done:
		return o.res, o.err
	case <-ctx.Done():
		return run.Result{ExitCode: -1}, context.Cause(ctx)
	}
}

// Status reads the OS summary from rpm-ostree through r (wrapped with
// SharedStatus to share the query). A machine without rpm-ostree has no
// summary and no error.
func Status(ctx context.Context, r run.Runner) (*Summary, error) {
	st, err := rpmostree.RpmOstree{R: r}.Status(ctx)
	if err != nil {
		var nf *run.NotFoundError
		if errors.As(err, &nf) {
			return nil, nil
		}
		return nil, err
	}
	s := FromRpmOstree(st)
	return &s, nil
}
