package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// buildVersion describes this binary from the information the Go toolchain
// embeds: the module version (a tag for `go install …@vX`, "(devel)" for a
// build from a checkout), the commit and whether the tree was modified.
type buildVersion struct {
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
}

func readVersion() buildVersion {
	v := buildVersion{Version: "(unknown)"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.Go = bi.GoVersion
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func (v buildVersion) String() string {
	s := "bkt " + v.Version
	if v.Commit != "" {
		s += fmt.Sprintf(" (commit %.12s", v.Commit)
		if v.Modified {
			s += ", modified"
		}
		s += ")"
	}
	return s + " built with " + v.Go
}

// versionResult is the payload of bkt version.
type versionResult struct {
	Version buildVersion `json:"version"`
}

func (a *App) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print bkt's version, commit and Go version (also: bkt --version)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := readVersion()
			if a.json {
				a.emit(versionResult{Version: v}, nil)
				return nil
			}
			a.ui.Printf("%s\n", v)
			return nil
		},
	}
}
