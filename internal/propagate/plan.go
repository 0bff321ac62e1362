package propagate

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bkt-dev/bkt/internal/run"
)

// PlanBase copies the repository root as the commit Propagate would make
// starts from it — bkt/batch for a batch that exists, else origin's
// default branch as last fetched, else the local one — into a new
// temporary directory, so a dry run can re-apply the change there and see
// whether the real run would commit anything. It reads with git archive:
// nothing is fetched and the repository is left as it is. ref names the
// branch read ("origin/main"); cleanup removes the directory.
func (p *Propagator) PlanBase(ctx context.Context, batch bool) (dir, ref string, cleanup func(), err error) {
	base := p.base()
	type cand struct{ full, short string }
	cands := []cand{
		{"refs/remotes/" + remote + "/" + base, remote + "/" + base},
		{"refs/heads/" + base, base},
	}
	if batch {
		// A batch commit goes on top of bkt/batch once it exists.
		cands = append([]cand{{"refs/heads/" + BatchBranch, BatchBranch}}, cands...)
	}
	for _, c := range cands {
		ok, err := p.Git.RefExists(ctx, c.full)
		if err != nil {
			return "", "", nil, err
		}
		if ok {
			ref = c.short
			dir, cleanup, err = p.archive(ctx, c.full)
			return dir, ref, cleanup, err
		}
	}
	return "", "", nil, fmt.Errorf("no branch %s to start from", base)
}

// archive extracts the repository root's tree at ref into a new temporary
// directory.
func (p *Propagator) archive(ctx context.Context, ref string) (string, func(), error) {
	// Run in the repository root, git archive writes only that directory,
	// with paths relative to it, also when it sits below the git top level.
	res, err := p.Git.Runner.Run(ctx, run.Cmd{
		Name: "git",
		Args: []string{"-C", p.Git.Dir, "archive", "--format=tar", ref},
		Env:  []string{"LC_ALL=C"},
	})
	if err != nil {
		return "", nil, err
	}
	tmp, err := newWorkDir()
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { _ = os.RemoveAll(tmp) }
	dir := filepath.Join(tmp, "base")
	if err := untar(bytes.NewReader(res.Stdout), dir); err != nil {
		cleanup()
		return "", nil, err
	}
	return dir, cleanup, nil
}

// untar writes the directories, files and symbolic links of a tar stream
// under dir; entries that would land outside dir are refused.
func untar(r io.Reader, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(h.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("archive entry %q is outside the repository", h.Name)
		}
		path := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(path, 0o700)
		case tar.TypeReg:
			err = writeEntry(path, tr, h.FileInfo().Mode().Perm()|0o600)
		case tar.TypeSymlink:
			if err = os.MkdirAll(filepath.Dir(path), 0o700); err == nil {
				err = os.Symlink(h.Linkname, path)
			}
		}
		if err != nil {
			return err
		}
	}
}

func writeEntry(path string, r io.Reader, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
