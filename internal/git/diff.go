package git

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
)

// MergeBase returns the best common ancestor of a and b
// (`git merge-base a b`).
func (g *Git) MergeBase(ctx context.Context, a, b string) (string, error) {
	// --end-of-options: a and b are revisions even when they start with
	// "-" (git then says they are not valid), never options.
	return g.query(ctx, "git merge-base", "merge-base", "--end-of-options", a, b)
}

// FileChange is one file that differs between a commit and the work tree:
// Status is git's letter (A added, M modified, D deleted, T type changed),
// Path is relative to the Git's directory.
type FileChange struct {
	Status string
	Path   string
}

// ChangedSince lists the files under paths (relative to the Git's
// directory, which may be below the top level) that differ between the
// commit rev and the work tree, in one `git diff`: tracked files only,
// renames as a deletion and an addition.
func (g *Git) ChangedSince(ctx context.Context, rev string, paths ...string) ([]FileChange, error) {
	out, err := g.query(ctx, "git diff", append([]string{"diff", "--name-status", "-z", "--no-renames", "--relative", rev, "--"}, paths...)...)
	if err != nil {
		return nil, err
	}
	f := splitNUL(out)
	var changes []FileChange
	for i := 0; i+1 < len(f); i += 2 {
		changes = append(changes, FileChange{Status: f[i], Path: f[i+1]})
	}
	return changes, nil
}

// Untracked lists the files under paths that git does not track and does
// not ignore (`git ls-files --others --exclude-standard`), relative to the
// Git's directory.
func (g *Git) Untracked(ctx context.Context, paths ...string) ([]string, error) {
	out, err := g.query(ctx, "git ls-files", append([]string{"ls-files", "-z", "--others", "--exclude-standard", "--"}, paths...)...)
	if err != nil {
		return nil, err
	}
	return splitNUL(out), nil
}

// ReadFiles returns the content of each of paths (relative to the Git's
// directory) in the commit rev, in one `git cat-file --batch`; a path
// that rev does not have is left out.
func (g *Git) ReadFiles(ctx context.Context, rev string, paths []string) (map[string][]byte, error) {
	files := make(map[string][]byte, len(paths))
	if len(paths) == 0 {
		return files, nil
	}
	var in strings.Builder
	for _, p := range paths {
		if strings.ContainsAny(p, "\n") {
			return nil, fmt.Errorf("cannot read %q from git: a path with a line break", p)
		}
		in.WriteString(rev + ":./" + p + "\n")
	}
	c := g.cmd(false, "cat-file", "--batch")
	c.Stdin = strings.NewReader(in.String())
	res, err := g.Runner.Run(ctx, c)
	if err != nil {
		return nil, g.fail(err, "git cat-file")
	}
	out := res.Stdout
	for _, p := range paths {
		// "<object> blob <size>\n<content>\n", or "<name> missing\n".
		nl := bytes.IndexByte(out, '\n')
		if nl < 0 {
			return nil, fmt.Errorf("git cat-file: short output for %s", p)
		}
		head := strings.Fields(string(out[:nl]))
		out = out[nl+1:]
		if len(head) != 3 {
			continue // missing, or not a blob: absent from rev
		}
		size, err := strconv.Atoi(head[2])
		if err != nil || size+1 > len(out) {
			return nil, fmt.Errorf("git cat-file: bad output for %s", p)
		}
		if head[1] == "blob" {
			files[p] = out[:size]
		}
		out = out[size+1:]
	}
	return files, nil
}
