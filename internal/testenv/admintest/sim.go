package admintest

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Call is one invocation a simulator recorded: which tool, its arguments,
// its whole environment and who it ran as.
type Call struct {
	Tool string   `json:"tool"`
	Args []string `json:"args"`
	Env  []string `json:"env"`
	UID  int      `json:"uid"`
	EUID int      `json:"euid"`
	Dir  string   `json:"dir"` // the working directory
}

// The files a simulator keeps beside itself (bkt-admin gives the tools a
// clean environment, so no variable can say where they are).
const (
	CallsFile  = "calls.jsonl"       // one Call per line
	CallsText  = "calls.txt"         // one "TOOL ARGS..." line per call, for scripts
	StatusFile = "bootc-status.json" // bootc status --json, as bootc prints it
	UpdateFile = "bootc-update.json" // the image `bootc upgrade` would fetch (an ImageStatus)
)

// Simulate runs the simulator named tool ("bootc" or "systemctl") in dir.
func Simulate(dir, tool string, args []string, stdout, stderr io.Writer) int {
	wd, _ := os.Getwd()
	call := Call{Tool: tool, Args: args, Env: os.Environ(), UID: os.Getuid(), EUID: os.Geteuid(), Dir: wd}
	err := appendCall(filepath.Join(dir, CallsFile), call)
	if err == nil {
		err = appendText(filepath.Join(dir, CallsText), tool+" "+strings.Join(args, " "))
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: %s simulator: %v\n", tool, err)
		return 1
	}
	if tool == "systemctl" {
		return systemctl(args, stdout, stderr)
	}
	return bootc(dir, args, stdout, stderr)
}

func appendCall(path string, c Call) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return appendText(path, string(data))
}

func appendText(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// systemctl prints what systemctl prints for the actions bkt-admin runs.
func systemctl(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 {
		fmt.Fprintln(stderr, "Too few arguments.")
		return 1
	}
	action, unit := args[0], args[1]
	switch action {
	case "status":
		fmt.Fprintf(stdout, "● %s\n     Loaded: loaded (/usr/lib/systemd/system/%s; disabled; preset: disabled)\n     Active: inactive (dead)\n", unit, unit)
		return 3 // systemctl status of an inactive unit
	case "enable":
		fmt.Fprintf(stderr, "Created symlink /etc/systemd/system/multi-user.target.wants/%s → /usr/lib/systemd/system/%s.\n", unit, unit)
	case "disable":
		fmt.Fprintf(stderr, "Removed \"/etc/systemd/system/multi-user.target.wants/%s\".\n", unit)
	}
	return 0
}

// bootc answers status, upgrade, rollback and switch from the status file,
// changing it as bootc changes the host.
func bootc(dir string, args []string, stdout, stderr io.Writer) int {
	statusPath := filepath.Join(dir, StatusFile)
	data, err := os.ReadFile(statusPath)
	if err != nil {
		fmt.Fprintf(stderr, "error: bootc simulator: %v\n", err)
		return 1
	}
	var host map[string]any
	if err := json.Unmarshal(data, &host); err != nil {
		fmt.Fprintf(stderr, "error: bootc simulator: %s: %v\n", statusPath, err)
		return 1
	}
	status, _ := host["status"].(map[string]any)
	if len(args) == 0 {
		fmt.Fprintln(stderr, "error: no command given")
		return 2
	}
	switch args[0] {
	case "status":
		if slices.Contains(args, "--json") || slices.Contains(args, "--format=json") {
			stdout.Write(data)
			return 0
		}
		fmt.Fprintf(stdout, "apiVersion: %v\nkind: %v\n", host["apiVersion"], host["kind"])
		return 0
	case "upgrade":
		update, err := os.ReadFile(filepath.Join(dir, UpdateFile))
		var img map[string]any
		if err != nil || json.Unmarshal(update, &img) != nil || sameDigest(status["booted"], img) || sameDigest(status["staged"], img) {
			fmt.Fprintln(stdout, "No changes in: "+specImage(host))
			return 0
		}
		status["staged"] = entry(img)
		fmt.Fprintf(stdout, "Queued for next boot: %s\n  Version: %v\n  Digest: %v\n", specImage(host), img["version"], img["imageDigest"])
	case "rollback":
		if status["rollback"] == nil {
			fmt.Fprintln(stderr, "error: No rollback available")
			return 1
		}
		queued, _ := status["rollbackQueued"].(bool)
		status["rollbackQueued"] = !queued
		fmt.Fprintln(stdout, "Next boot: rollback deployment")
	case "switch":
		if len(args) != 2 {
			fmt.Fprintln(stderr, "error: switch takes one IMAGE")
			return 2
		}
		ref := map[string]any{"image": args[1], "transport": "registry"}
		host["spec"].(map[string]any)["image"] = ref
		status["staged"] = entry(map[string]any{"image": ref, "version": nil, "timestamp": "2024-11-12T04:00:00Z",
			"imageDigest": fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(args[1])))})
		fmt.Fprintf(stdout, "Queued for next boot: %s\n", args[1])
	default:
		fmt.Fprintf(stderr, "error: unrecognized subcommand '%s'\n", args[0])
		return 2
	}
	out, err := json.MarshalIndent(host, "", "  ")
	if err == nil {
		err = os.WriteFile(statusPath, append(out, '\n'), 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: bootc simulator: %v\n", err)
		return 1
	}
	return 0
}

// entry is a staged BootEntry of image img.
func entry(img map[string]any) map[string]any {
	digest, _ := img["imageDigest"].(string)
	return map[string]any{"image": img, "cachedUpdate": nil, "incompatible": false, "pinned": false, "store": "ostreeContainer",
		"ostree": map[string]any{"checksum": fmt.Sprintf("%x", sha256.Sum256([]byte(digest))), "deploySerial": 0}}
}

func sameDigest(e any, img map[string]any) bool {
	m, _ := e.(map[string]any)
	if m == nil {
		return false
	}
	cur, _ := m["image"].(map[string]any)
	return cur != nil && cur["imageDigest"] == img["imageDigest"]
}

func specImage(host map[string]any) string {
	spec, _ := host["spec"].(map[string]any)
	img, _ := spec["image"].(map[string]any)
	s, _ := img["image"].(string)
	return s
}

// ReadCalls reads the calls recorded in dir, oldest first.
func ReadCalls(dir string) ([]Call, error) {
	data, err := os.ReadFile(filepath.Join(dir, CallsFile))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var calls []Call
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var c Call
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return nil, err
		}
		calls = append(calls, c)
	}
	return calls, nil
}
