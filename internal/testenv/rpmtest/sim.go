package rpmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// The simulator's environment: where it keeps its state and where it
// appends one line per invocation (its arguments, space separated).
const (
	SimStateEnv = "RPMOSTREE_SIM_STATE"
	SimLogEnv   = "RPMOSTREE_SIM_LOG"
)

// SimState is the rpm-ostree simulator's state file.
type SimState struct {
	// Base lists the packages of the base image.
	Base []string `json:"base"`
	// Available lists what the repositories offer; install refuses
	// anything else, as rpm-ostree does.
	Available []string `json:"available"`
	// Booted is the running deployment's layering.
	Booted Layering `json:"booted"`
	// Pending, when set, is the staged deployment for the next boot.
	Pending *Layering `json:"pending,omitempty"`
	// Live is set once a change was applied live (--apply-live).
	Live bool `json:"live,omitempty"`
	// BootedVersion, when set, is the booted deployment's version (the
	// image's version label) instead of the base image's.
	BootedVersion string `json:"booted_version,omitempty"`
}

// Layering is what a deployment adds to and removes from the base.
type Layering struct {
	Requested []string `json:"requested"`
	Removed   []string `json:"removed"`
}

func (l Layering) clone() *Layering {
	return &Layering{Requested: slices.Clone(l.Requested), Removed: slices.Clone(l.Removed)}
}

// next is the layering the next boot gets.
func (s *SimState) next() *Layering {
	if s.Pending != nil {
		return s.Pending
	}
	return &s.Booted
}

// ReadSimState reads a state file.
func ReadSimState(path string) (*SimState, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rpm-ostree simulator: %w", err)
	}
	var s SimState
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("rpm-ostree simulator: state %s: %w", path, err)
	}
	return &s, nil
}

// WriteSimState writes a state file.
func WriteSimState(path string, s *SimState) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// Simulate is the rpm-ostree simulator: it runs one rpm-ostree command
// line against the state file, prints what rpm-ostree would, and returns
// the exit status. It understands status [--json], install [--apply-live]
// [--idempotent], uninstall, override remove and override reset; anything
// else fails like an unknown rpm-ostree command.
func Simulate(statePath, logPath string, args []string, stdout, stderr io.Writer) int {
	if logPath != "" {
		if err := appendLine(logPath, strings.Join(args, " ")); err != nil {
			fmt.Fprintf(stderr, "error: rpm-ostree simulator: %v\n", err)
			return 1
		}
	}
	s, err := ReadSimState(statePath)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	flags, words := splitFlags(args)
	if len(words) == 0 {
		fmt.Fprintln(stderr, "error: No command specified")
		return 1
	}
	var msg string
	switch cmd := words[0]; {
	case cmd == "status":
		return status(s, slices.Contains(flags, "--json"), stdout)
	case cmd == "install":
		msg = s.install(words[1:], slices.Contains(flags, "--idempotent"))
	case cmd == "uninstall":
		msg = s.uninstall(words[1:])
	case cmd == "override" && len(words) > 1 && words[1] == "remove":
		msg = s.overrideRemove(words[2:])
	case cmd == "override" && len(words) > 1 && words[1] == "reset":
		msg = s.overrideReset(words[2:])
	default:
		msg = fmt.Sprintf("Unknown command '%s'", strings.Join(words, " "))
	}
	if msg != "" {
		fmt.Fprintf(stderr, "error: %s\n", msg)
		return 1
	}
	live := slices.Contains(flags, "--apply-live") || slices.Contains(flags, "-A")
	s.Live = s.Live || live
	if err := WriteSimState(statePath, s); err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	if live {
		fmt.Fprintln(stdout, "Successfully updated running filesystem tree.")
	} else {
		fmt.Fprintln(stdout, "Changes queued for next boot. Run \"systemctl reboot\" to start a reboot")
	}
	return 0
}

func splitFlags(args []string) (flags, words []string) {
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			flags = append(flags, a)
		} else {
			words = append(words, a)
		}
	}
	return flags, words
}

func (s *SimState) stage() *Layering {
	if s.Pending == nil {
		s.Pending = s.Booted.clone()
	}
	return s.Pending
}

func (s *SimState) install(pkgs []string, idempotent bool) string {
	if len(pkgs) == 0 {
		return "At least one PACKAGE must be specified"
	}
	var missing []string
	for _, p := range pkgs {
		if !slices.Contains(s.Available, p) {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return "Packages not found: " + strings.Join(missing, ", ")
	}
	next := s.next()
	var add []string
	for _, p := range pkgs {
		switch {
		case slices.Contains(next.Requested, p):
			if !idempotent {
				return fmt.Sprintf("Package/capability '%s' is already requested", p)
			}
		case slices.Contains(s.Base, p) && !slices.Contains(next.Removed, p):
			return fmt.Sprintf("\"%s\" is already provided by: %s-1.0-1%s.noarch. Use --allow-inactive to explicitly require it.", p, p, Dist)
		default:
			add = append(add, p)
		}
	}
	if len(add) > 0 {
		l := s.stage()
		l.Requested = append(l.Requested, add...)
	}
	return ""
}

func (s *SimState) uninstall(pkgs []string) string {
	for _, p := range pkgs {
		if !slices.Contains(s.next().Requested, p) {
			return fmt.Sprintf("Package/capability '%s' is not currently requested", p)
		}
	}
	l := s.stage()
	l.Requested = slices.DeleteFunc(l.Requested, func(p string) bool { return slices.Contains(pkgs, p) })
	return ""
}

func (s *SimState) overrideRemove(pkgs []string) string {
	for _, p := range pkgs {
		if !slices.Contains(s.Base, p) {
			return fmt.Sprintf("Package \"%s\" not found", p)
		}
		if slices.Contains(s.next().Removed, p) {
			return fmt.Sprintf("Override already exists for package '%s'", p)
		}
	}
	l := s.stage()
	l.Removed = append(l.Removed, pkgs...)
	return ""
}

func (s *SimState) overrideReset(pkgs []string) string {
	for _, p := range pkgs {
		if !slices.Contains(s.next().Removed, p) {
			return fmt.Sprintf("No overrides for package '%s'", p)
		}
	}
	l := s.stage()
	l.Removed = slices.DeleteFunc(l.Removed, func(p string) bool { return slices.Contains(pkgs, p) })
	return ""
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
