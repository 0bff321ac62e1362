// Package rpmtest builds what bkt's dnf tests run against: tiny noarch
// RPMs and local repositories (real rpmbuild and createrepo_c), a hermetic
// dnf configuration and installroot standing in for the host's rpm
// database (real dnf), and an rpm-ostree simulator, because rpm-ostree
// cannot run on a Debian test machine.
package rpmtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bkt-dev/bkt/internal/run"
)

// Package is one RPM to build: it installs /usr/bin/NAME, a shell script.
type Package struct {
	Name    string
	Version string // default 1.0
	Summary string // default "NAME test package"
	// Provides are extra capabilities, e.g. "fishshell".
	Provides []string
}

// Group is a comps group of a repository.
type Group struct {
	ID, Name           string
	Mandatory, Default []string
}

// Dist is the release tag of every built package (.fc41), so the test
// repositories look like Fedora 41's.
const Dist = ".fc41"

// BuildRepo builds pkgs and makes repoDir a repository of them (with the
// groups as comps data). It needs rpmbuild and createrepo_c.
func BuildRepo(repoDir string, pkgs []Package, groups ...Group) error {
	top, err := os.MkdirTemp("", "rpmtest-build-")
	if err != nil {
		return fmt.Errorf("rpmtest: %w", err)
	}
	defer os.RemoveAll(top)
	if err := os.MkdirAll(repoDir, 0o755); err != nil {
		return fmt.Errorf("rpmtest: %w", err)
	}
	for _, p := range pkgs {
		if err := buildRPM(top, p); err != nil {
			return err
		}
	}
	rpms, _ := filepath.Glob(filepath.Join(top, "RPMS", "noarch", "*.rpm"))
	for _, f := range rpms {
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("rpmtest: %w", err)
		}
		if err := os.WriteFile(filepath.Join(repoDir, filepath.Base(f)), data, 0o644); err != nil {
			return fmt.Errorf("rpmtest: %w", err)
		}
	}
	args := []string{"--quiet"}
	if len(groups) > 0 {
		comps := filepath.Join(top, "comps.xml")
		if err := os.WriteFile(comps, compsXML(groups), 0o644); err != nil {
			return fmt.Errorf("rpmtest: %w", err)
		}
		args = append(args, "--groupfile", comps)
	}
	if err := tool("createrepo_c", append(args, repoDir)...); err != nil {
		return fmt.Errorf("rpmtest: creating repository %s: %w", repoDir, err)
	}
	return nil
}

// buildRPM writes a spec for p and builds it under top. AutoReqProv is off:
// rpmbuild would otherwise require /bin/sh, which no test repo provides.
func buildRPM(top string, p Package) error {
	version, summary := p.Version, p.Summary
	if version == "" {
		version = "1.0"
	}
	if summary == "" {
		summary = p.Name + " test package"
	}
	var provides strings.Builder
	for _, c := range p.Provides {
		fmt.Fprintf(&provides, "Provides: %s\n", c)
	}
	spec := fmt.Sprintf(`Name: %[1]s
Version: %[2]s
Release: 1%%{?dist}
Summary: %[3]s
License: MIT
BuildArch: noarch
AutoReqProv: no
%[4]s
%%description
Test package %[1]s.

%%install
mkdir -p %%{buildroot}/usr/bin
printf '#!/bin/sh\necho %[1]s %[2]s\n' > %%{buildroot}/usr/bin/%[1]s
chmod 0755 %%{buildroot}/usr/bin/%[1]s

%%files
/usr/bin/%[1]s
`, p.Name, version, summary, provides.String())
	path := filepath.Join(top, p.Name+".spec")
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		return fmt.Errorf("rpmtest: %w", err)
	}
	if err := tool("rpmbuild", "--quiet", "--define", "_topdir "+top, "--define", "dist "+Dist, "-bb", path); err != nil {
		return fmt.Errorf("rpmtest: building %s: %w", p.Name, err)
	}
	return nil
}

func compsXML(groups []Group) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">` + "\n<comps>\n")
	for _, g := range groups {
		fmt.Fprintf(&b, "  <group>\n    <id>%s</id>\n    <name>%s</name>\n    <description>%s</description>\n", g.ID, g.Name, g.Name)
		b.WriteString("    <default>false</default>\n    <uservisible>true</uservisible>\n    <packagelist>\n")
		for _, p := range g.Mandatory {
			fmt.Fprintf(&b, "      <packagereq type=\"mandatory\">%s</packagereq>\n", p)
		}
		for _, p := range g.Default {
			fmt.Fprintf(&b, "      <packagereq type=\"default\">%s</packagereq>\n", p)
		}
		b.WriteString("    </packagelist>\n  </group>\n")
	}
	b.WriteString("</comps>\n")
	return b.Bytes()
}

// tool runs a build tool with a private HOME, so neither the machine's
// ~/.rpmmacros nor its rpm database is read or written.
func tool(name string, args ...string) error {
	home, err := os.MkdirTemp("", "rpmtest-home-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	_, err = run.Exec{}.Run(context.Background(), run.Cmd{Name: name, Args: args, Env: []string{"HOME=" + home}})
	return err
}
