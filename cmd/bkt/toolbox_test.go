package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bkt-dev/bkt/internal/testenv/rpmtest"
)

// The toolbox stand-in. toolbox cannot run a container here (it needs a
// real distribution image; shared/testing/real-tools.md §7), and a real
// podman container with dnf inside would need a root filesystem holding
// dnf and Python, built in every test run: far too heavy for CI. So a
// "container" is a directory whose root/ is an installroot of the real dnf
// and rpm, and the stand-in maps the toolbox and podman commands bkt runs
// onto it:
//
//	toolbox run -c NAME [env K=V…] dnf ARGS   dnf ARGS with --installroot=ROOT
//	toolbox run -c NAME [env K=V…] rpm ARGS   rpm --root ROOT ARGS
//	toolbox create --container NAME [--image IMG], rm --force NAME, enter NAME
//	podman container exists -- NAME, podman container inspect --format {{.Created.Unix}} -- NAME
//
// A missing container fails as toolbox does ("Error: container NAME not
// found", exit 1). Every call is logged to $WORK/toolbox/calls.log.
const toolboxDirEnv = "BKTTEST_TOOLBOX_DIR"

// cmdToolboxSetup puts the stand-ins on PATH and, given a NAME, creates
// that container with PKGs installed from dnf-setup's repositories (which
// must have run), as its image would have them:
//
//	toolbox-setup [NAME [PKG...]]
func cmdToolboxSetup(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: toolbox-setup [NAME [PKG...]]")
	}
	dir := filepath.Join(ts.Getenv("WORK"), "toolbox")
	bin := filepath.Join(dir, "bin")
	ts.Check(os.MkdirAll(bin, 0o755))
	for name, prog := range map[string]string{"toolbox": "bkttest-toolbox", "podman": "bkttest-podman"} {
		script := "#!/bin/sh\nexec " + prog + " \"$@\"\n"
		ts.Check(os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755))
	}
	ts.Setenv(toolboxDirEnv, dir)
	ts.Setenv("PATH", bin+string(os.PathListSeparator)+ts.Getenv("PATH"))
	if len(args) == 0 {
		return
	}
	root := containerRoot(dir, args[0])
	ts.Check(createContainer(dir, args[0], ""))
	if len(args) > 1 {
		dnfArgs := containerDnfArgs(strings.Fields(ts.Getenv(rpmtest.ArgsEnv)), root)
		cmd := exec.Command("dnf", append(append(dnfArgs, "-q", "-y", "install"), args[1:]...)...)
		cmd.Env = append(os.Environ(), "HOME="+ts.Getenv("HOME"))
		if out, err := cmd.CombinedOutput(); err != nil {
			ts.Fatalf("installing %s into the toolbox: %v\n%s", args[1:], err, out)
		}
	}
	// The image's packages were installed before the container was
	// created: its creation time is the next whole second.
	created := time.Now().Unix() + 1
	ts.Check(os.WriteFile(filepath.Join(dir, "containers", args[0], "created"), []byte(strconv.FormatInt(created, 10)), 0o644))
	time.Sleep(time.Until(time.Unix(created, 0)))
}

func containerRoot(dir, name string) string { return filepath.Join(dir, "containers", name, "root") }

func createContainer(dir, name, image string) error {
	root := containerRoot(dir, name)
	if err := os.MkdirAll(filepath.Join(root, "usr/lib/sysimage/rpm"), 0o755); err != nil {
		return err
	}
	if out, err := exec.Command("rpm", "--root", root, "--dbpath", "/usr/lib/sysimage/rpm", "--initdb").CombinedOutput(); err != nil {
		return fmt.Errorf("rpm --initdb: %v: %s", err, out)
	}
	c := filepath.Join(dir, "containers", name)
	if err := os.WriteFile(filepath.Join(c, "image"), []byte(image), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(c, "created"), []byte(strconv.FormatInt(time.Now().Unix(), 10)), 0o644)
}

// containerDnfArgs are dnf's arguments with the installroot the
// container's.
func containerDnfArgs(args []string, root string) []string {
	out := make([]string, 0, len(args)+1)
	found := false
	for _, a := range args {
		if strings.HasPrefix(a, "--installroot=") {
			a, found = "--installroot="+root, true
		}
		out = append(out, a)
	}
	if !found {
		out = append([]string{"--installroot=" + root}, out...)
	}
	return out
}

func standInLog(dir string, argv []string) {
	f, err := os.OpenFile(filepath.Join(dir, "calls.log"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		fmt.Fprintln(f, strings.Join(argv, " "))
		f.Close()
	}
}

// toolboxStandIn is the `toolbox` of the scripts.
func toolboxStandIn() int {
	dir := os.Getenv(toolboxDirEnv)
	args := os.Args[1:]
	standInLog(dir, append([]string{"toolbox"}, args...))
	if len(args) == 0 {
		return 2
	}
	switch args[0] {
	case "run":
		if len(args) < 4 || args[1] != "-c" {
			fmt.Fprintln(os.Stderr, "stand-in: toolbox run -c NAME CMD...")
			return 2
		}
		return runInContainer(dir, args[2], args[3:])
	case "create":
		name, image := "", ""
		for i := 1; i+1 < len(args); i += 2 {
			switch args[i] {
			case "--container", "-c":
				name = args[i+1]
			case "--image", "-i":
				image = args[i+1]
			}
		}
		if err := createContainer(dir, name, image); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("Created container: %s\n", name)
		return 0
	case "rm":
		name := args[len(args)-1]
		if err := os.RemoveAll(filepath.Join(dir, "containers", name)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	case "enter":
		name := args[len(args)-1]
		if _, err := os.Stat(containerRoot(dir, name)); err != nil {
			fmt.Fprintf(os.Stderr, "Error: container %s not found\n", name)
			return 1
		}
		fmt.Printf("stand-in: entered %s\n", name)
		return 0
	}
	fmt.Fprintf(os.Stderr, "stand-in toolbox: %s is not stood in for\n", args[0])
	return 2
}

func runInContainer(dir, name string, argv []string) int {
	root := containerRoot(dir, name)
	if _, err := os.Stat(root); err != nil {
		fmt.Fprintf(os.Stderr, "Error: container %s not found\nUse the 'create' command to create a toolbox.\n", name)
		return 1
	}
	env := os.Environ()
	if argv[0] == "env" {
		argv = argv[1:]
		for len(argv) > 0 && strings.Contains(argv[0], "=") {
			env = append(env, argv[0])
			argv = argv[1:]
		}
	}
	if len(argv) > 0 && argv[0] == "sudo" {
		argv = argv[1:] // the tests run as root
	}
	switch argv[0] {
	case "dnf":
		argv = append([]string{"dnf"}, containerDnfArgs(argv[1:], root)...)
	case "rpm":
		argv = append([]string{"rpm", "--root", root}, argv[1:]...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 127
	}
	return 0
}

// podmanStandIn is the `podman` of the scripts: the two questions bkt
// asks about the toolbox container.
func podmanStandIn() int {
	dir := os.Getenv(toolboxDirEnv)
	args := os.Args[1:]
	standInLog(dir, append([]string{"podman"}, args...))
	if len(args) < 3 || args[0] != "container" {
		fmt.Fprintln(os.Stderr, "stand-in podman: only container exists|inspect")
		return 125
	}
	name := args[len(args)-1]
	c := filepath.Join(dir, "containers", name)
	if _, err := os.Stat(c); err != nil {
		if args[1] == "exists" {
			return 1
		}
		fmt.Fprintf(os.Stderr, "Error: no such container %s\n", name)
		return 125
	}
	switch args[1] {
	case "exists":
		return 0
	case "inspect":
		created, err := os.ReadFile(filepath.Join(c, "created"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 125
		}
		fmt.Printf("%s\n", created)
		return 0
	}
	return 125
}
