package git

import (
	"context"
	"errors"
	"strings"

	"github.com/bkt-dev/bkt/internal/run"
)

// ConfigGet reads a repository-local config value; ok is false when unset.
func (g *Git) ConfigGet(ctx context.Context, key string) (value string, ok bool, err error) {
	out, err := g.exec(ctx, g.cmd(false, "config", "--local", "--get", key))
	if err == nil {
		return out, true, nil
	}
	if exitCode(err) == 1 {
		return "", false, nil
	}
	return "", false, g.fail(err, "git config")
}

// ConfigSet writes a repository-local config value.
func (g *Git) ConfigSet(ctx context.Context, key, value string) error {
	return g.mutate(ctx, "git config", "config", "--local", key, value)
}

// ConfigRegexp returns the repository-local entries whose key matches the
// regular expression, in file order. Section and variable names come back
// lowercased by git; subsections (e.g. branch names) keep their case.
func (g *Git) ConfigRegexp(ctx context.Context, re string) ([][2]string, error) {
	out, err := g.exec(ctx, g.cmd(false, "config", "--local", "-z", "--get-regexp", re))
	if err != nil {
		if exitCode(err) == 1 { // nothing matched
			return nil, nil
		}
		return nil, g.fail(err, "git config")
	}
	var kv [][2]string
	for _, rec := range splitNUL(out) {
		k, v, _ := strings.Cut(rec, "\n")
		kv = append(kv, [2]string{k, v})
	}
	return kv, nil
}

// ConfigRemoveSection removes a repository-local config section (e.g.
// branch.NAME); a section that is not there is no error.
func (g *Git) ConfigRemoveSection(ctx context.Context, section string) error {
	_, err := g.exec(ctx, g.cmd(true, "config", "--local", "--remove-section", section))
	var ee *run.ExitError
	if err == nil || errors.As(err, &ee) && strings.Contains(string(ee.Result.Stderr), "no such section") {
		return nil
	}
	return g.fail(err, "git config --remove-section")
}
