package base

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/oci"
	"github.com/bkt-dev/bkt/internal/run"
)

// Check is one assumption checked.
type Check struct {
	// Kind is "package" or "file".
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Reason string `json:"reason,omitempty"`
	OK     bool   `json:"ok"`
	// Version is the installed package's [EPOCH:]VERSION-RELEASE.
	Version string `json:"version,omitempty"`
}

// Report is the verification of the assumptions against one image (or
// this system).
type Report struct {
	// Image is the reference verified ("" for this system), Tag its tag
	// when it is one of the manifest's, Digest what it resolved to.
	Image  string  `json:"image,omitempty"`
	Tag    string  `json:"tag,omitempty"`
	Digest string  `json:"digest,omitempty"`
	Local  bool    `json:"local,omitempty"`
	Checks []Check `json:"checks"`
	Failed int     `json:"failed"`
	// What the check read of the image: layers streamed out of all, and
	// their compressed bytes out of the image's size (what a pull fetches).
	LayersRead int   `json:"layers_read,omitempty"`
	Layers     int   `json:"layers,omitempty"`
	BytesRead  int64 `json:"bytes_read,omitempty"`
	ImageSize  int64 `json:"image_size,omitempty"`
}

func (r *Report) add(c Check) {
	if !c.OK {
		r.Failed++
	}
	r.Checks = append(r.Checks, c)
}

// Verify checks the assumptions against the image ref, reading its RPM
// database and the assumed paths from the registry (or an OCI layout).
func Verify(ctx context.Context, doc *manifest.BaseImageAssumptions, ref, tag string, o oci.Options) (*Report, error) {
	im, err := oci.Open(ctx, ref, o)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range doc.Files {
		paths = append(paths, f.Path)
	}
	got, err := im.Read(ctx, paths)
	if err != nil {
		return nil, err
	}
	r := &Report{Image: ref, Tag: tag, Digest: im.Digest, Checks: []Check{},
		LayersRead: got.LayersRead, Layers: im.Layers, BytesRead: got.LayerBytes, ImageSize: im.Size}
	versions := map[string]string{}
	for _, p := range got.Packages {
		versions[p.Name] = p.EVR()
	}
	for _, p := range doc.Packages {
		v, ok := versions[p.Name]
		r.add(Check{Kind: "package", Name: p.Name, Reason: p.Reason, OK: ok, Version: v})
	}
	for _, f := range doc.Files {
		r.add(Check{Kind: "file", Name: f.Path, Reason: f.Reason, OK: got.Files[f.Path]})
	}
	return r, nil
}

// VerifyLocal checks the assumptions against this system: every package
// in one rpm -q (on the host, from a toolbox too), the paths under
// sysroot ("/" in production).
func VerifyLocal(ctx context.Context, r run.Runner, doc *manifest.BaseImageAssumptions, sysroot string) (*Report, error) {
	rep := &Report{Local: true, Checks: []Check{}}
	versions := map[string]string{}
	if len(doc.Packages) > 0 {
		args := []string{"-q", "--qf", "%{NAME}\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\n"}
		for _, p := range doc.Packages {
			args = append(args, p.Name)
		}
		res, err := r.Run(ctx, run.Cmd{Name: "rpm", Args: args, Where: run.Host})
		var ee *run.ExitError
		if errors.As(err, &ee) {
			// rpm -q exits with the number of packages not installed.
			res, err = ee.Result, nil
		}
		if err != nil {
			return nil, fail.Query(err, "Cannot query the installed packages with rpm")
		}
		sc := bufio.NewScanner(bytes.NewReader(res.Stdout))
		for sc.Scan() {
			if name, v, ok := strings.Cut(sc.Text(), "\t"); ok {
				versions[name] = v
			}
		}
	}
	for _, p := range doc.Packages {
		v, ok := versions[p.Name]
		rep.add(Check{Kind: "package", Name: p.Name, Reason: p.Reason, OK: ok, Version: v})
	}
	for _, f := range doc.Files {
		_, err := os.Lstat(filepath.Join(sysroot, filepath.FromSlash(f.Path)))
		rep.add(Check{Kind: "file", Name: f.Path, Reason: f.Reason, OK: err == nil})
	}
	return rep, nil
}
