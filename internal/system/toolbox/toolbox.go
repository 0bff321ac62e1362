// Package toolbox is bkt's adapter for the development toolbox container
// (SPEC §1, §7): whether it exists, and the toolbox commands that create,
// remove and enter it. Commands that run inside it are not built here:
// they carry run.Dev and run.Delegate wraps them as `toolbox run -c NAME`.
package toolbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/run"
)

// Toolbox manages the container Name through R, from the host.
type Toolbox struct {
	R    run.Runner
	Name string
}

// Exists reports whether the container exists: toolbox containers are
// podman containers, and `podman container exists` answers with its exit
// status alone (0 yes, 1 no), where toolbox's own list is a table.
func (t Toolbox) Exists(ctx context.Context) (bool, error) {
	_, err := t.R.Run(ctx, run.Cmd{Name: "podman", Args: []string{"container", "exists", "--", t.Name}, Where: run.Host})
	var ee *run.ExitError
	if errors.As(err, &ee) && ee.Result.ExitCode == 1 {
		return false, nil
	}
	return err == nil, err
}

// CreateCmd creates the container from image (the manifest's "image"; ""
// lets toolbox pick its default for the host).
func (t Toolbox) CreateCmd(image string) run.Cmd {
	args := []string{"create", "--container", t.Name}
	if image != "" {
		args = append(args, "--image", image)
	}
	return run.Cmd{Name: "toolbox", Args: args, Where: run.Host, Mutates: true}
}

// RemoveCmd removes the container, stopping it first (--force).
func (t Toolbox) RemoveCmd() run.Cmd {
	return run.Cmd{Name: "toolbox", Args: []string{"rm", "--force", t.Name}, Where: run.Host, Mutates: true}
}

// EnterCmd enters the container: an interactive shell there.
func (t Toolbox) EnterCmd() run.Cmd {
	return run.Cmd{Name: "toolbox", Args: []string{"enter", t.Name}, Where: run.Host}
}

// Created is when the container was created, in seconds since 1970:
// packages the rpm database records as installed later were installed in
// the container, not built into its image. It asks podman on the host
// (from inside the toolbox, through the delegation).
func (t Toolbox) Created(ctx context.Context) (int64, error) {
	res, err := t.R.Run(ctx, run.Cmd{Name: "podman", Args: []string{"container", "inspect", "--format", "{{.Created.Unix}}", "--", t.Name}, Where: run.Host})
	if err != nil {
		return 0, err
	}
	s := strings.TrimSpace(string(res.Stdout))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("podman container inspect %s: creation time %q is not a number", t.Name, s)
	}
	return n, nil
}

// Missing is the error for a host without the toolbox command, or nil
// when it is on PATH: without it no container can be made, and "create it
// with bkt dev enter" would send the user in a circle.
func Missing() error {
	if _, err := exec.LookPath("toolbox"); err == nil {
		return nil
	}
	return fail.New(fail.Context, "toolbox is not installed on this machine").
		WithDetail("bkt dev runs its commands in a toolbox container, which the toolbox command makes.").
		Next("Install it (Fedora Atomic desktops ship it): rpm-ostree install toolbox",
			"Or record the change for the toolbox image only, unchecked: bkt dev dnf install PKG --pr-only --force",
			"Check the tools bkt uses: bkt doctor")
}

// Made reports whether the record at path (one container name a line,
// $XDG_STATE_HOME/bkt/toolboxes) names the container: only the containers
// bkt created may bkt dev enter --recreate remove, because the name comes
// from the repository's manifest, which a pull request can point at
// another of the user's containers.
func Made(path, name string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	return slices.Contains(strings.Split(string(data), "\n"), name)
}

// RecordMade adds the container to the record at path.
func RecordMade(path, name string) error {
	if Made(path, name) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(name + "\n")
	return errors.Join(err, f.Close())
}
