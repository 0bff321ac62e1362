// Package skel is the skel domain (SPEC §4): the repository's skel/
// directory holds the dotfiles every user gets in $HOME (the image copies
// it to /etc/skel). `add` records a file of $HOME in skel/ (a repository
// change, through the pipeline); list, diff and sync compare and copy the
// other way, never overwriting a file the user changed unless forced.
package skel

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
)

// Dir is the skel directory relative to the repository root.
const Dir = "skel"

// Home returns home, or $HOME when home is "".
func Home(home string) (string, error) {
	if home != "" {
		return home, nil
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return "", fail.Wrap(fail.General, err, "Cannot find your home directory").
			WithDetail("%v", err).Next("Set HOME, then retry")
	}
	return h, nil
}

// Clean turns a FILE argument into a slash path relative to home: a
// relative path is taken relative to home (not the working directory), an
// absolute one must lie inside home (so ~/.bashrc, expanded by the shell,
// works, and so does a literal "~/"). Paths with "..", a ".git" component,
// or naming home itself are refused: they would escape $HOME or skel/, or
// break the repository.
func Clean(home, p string) (string, error) {
	orig := p
	// "~/FILE" reaches us unexpanded when quoted, or from scripts.
	if p == "~" {
		p = ""
	} else if rest, ok := strings.CutPrefix(p, "~/"); ok {
		p = rest
	}
	if filepath.IsAbs(p) {
		rel, err := filepath.Rel(filepath.Clean(home), filepath.Clean(p))
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", badPath(orig, "it is outside your home directory "+home)
		}
		p = rel
	}
	p = filepath.ToSlash(p)
	for _, part := range strings.Split(p, "/") {
		switch part {
		case "..":
			return "", badPath(orig, `".." is not allowed: name the file relative to your home directory`)
		case ".git":
			return "", badPath(orig, "git's own files cannot be stored in a repository")
		}
	}
	p = path.Clean(p)
	if p == "." || p == "" {
		return "", badPath(orig, "name a file in your home directory, e.g. .bashrc")
	}
	return p, nil
}

func badPath(p, why string) error {
	return fail.New(fail.Usage, "Invalid skel path %q: %s", p, why).
		Next("Name a file relative to your home directory: bkt skel add .bashrc")
}

// within returns base/rel after checking that no existing directory
// below base on the way to it is a symbolic link, so a link committed in
// the repository (skel/ itself, or a directory in it) cannot make a write
// land outside it. rel itself may be a link: writers replace it (a rename
// does not follow it) and readers use readEntry, which does not follow it.
func within(base, rel string) (string, error) {
	cur := base
	parts := strings.Split(rel, "/")
	for i, part := range parts {
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&os.ModeSymlink != 0 && i < len(parts)-1 {
			return "", fmt.Errorf("%s is a symbolic link: refusing to write through it", cur)
		}
		if i < len(parts)-1 && !fi.IsDir() {
			return "", fmt.Errorf("%s is not a directory", cur)
		}
	}
	return filepath.Join(base, filepath.FromSlash(rel)), nil
}

// secretPrefixes and secretNames are where credentials live: skel/ is
// committed and pushed, so adding them needs --force.
var (
	secretPrefixes = []string{".ssh/", ".gnupg/", ".password-store/", ".local/share/keyrings/", ".pki/", ".aws/", ".kube/"}
	secretExact    = []string{".netrc", ".git-credentials", ".pgpass", ".docker/config.json",
		".config/containers/auth.json", ".config/gh/hosts.yml"}
	secretSuffixes = []string{".pem", ".key", ".p12", ".pfx"}
)

// secret reports whether rel looks like a credential. ~/.ssh/config and
// public keys are the files of ~/.ssh people share.
func secret(rel string) bool {
	if rel == ".ssh/config" || strings.HasSuffix(rel, ".pub") {
		return false
	}
	if strings.HasPrefix(path.Base(rel), "id_") {
		return true
	}
	for _, p := range secretPrefixes {
		if strings.HasPrefix(rel+"/", p) {
			return true
		}
	}
	for _, e := range secretExact {
		if rel == e {
			return true
		}
	}
	for _, s := range secretSuffixes {
		if strings.HasSuffix(rel, s) {
			return true
		}
	}
	return false
}
