package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bkt-dev/bkt/internal/testenv/imagetest"
)

// cmdBaseRegistry serves the standard test base image (imagetest.Standard,
// a real rpmdb written by rpm) from an in-process registry on loopback,
// for the rest of the script, logging every request to $WORK/registry.log (empty it with cp):
//
//	base-registry [-deny]
//
// It sets $REGISTRY (127.0.0.1:PORT), $BASE_IMAGE ($REGISTRY/os/base, tags
// stable and latest) and the digests of latest's layers, bottom first:
// $DIGEST_STABLE and $DIGEST_LATEST are the images' digests;
// $LAYER_BASE, $LAYER_FILLER1, $LAYER_VIM (stable's rpmdb), $LAYER_FILLER2,
// $LAYER_NEXT (latest's rpmdb). With -deny every request is answered
// 401 Unauthorized.
//
//	base-registry -layout DIR
//
// writes the same images as an OCI layout directory instead, and
//
//	base-registry -rpmdb DIR NAME-VERSION...
//
// writes DIR/rpmdb.sqlite with those of imagetest.Packages installed (by
// rpm --justdb), a stand-in for this machine's database.
func cmdBaseRegistry(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: base-registry [-deny | -layout DIR | -rpmdb DIR NAME-VERSION...]")
	}
	if len(args) >= 2 && args[0] == "-rpmdb" {
		db, err := imagetest.RPMDB(args[2:]...)
		ts.Check(err)
		dir := ts.MkAbs(args[1])
		ts.Check(os.MkdirAll(dir, 0o755))
		ts.Check(os.WriteFile(filepath.Join(dir, "rpmdb.sqlite"), db, 0o644))
		return
	}
	imgs, err := imagetest.Standard(runtime.GOARCH, 256<<10)
	ts.Check(err)
	if len(args) == 2 && args[0] == "-layout" {
		ts.Check(imagetest.WriteLayout(ts.MkAbs(args[1]), imgs))
		return
	}
	reg := imagetest.Serve()
	ts.Defer(reg.Close)
	for _, tag := range []string{"stable", "latest"} {
		_, err := reg.Push("os/base", tag, imgs[tag])
		ts.Check(err)
		d, err := imgs[tag].Digest()
		ts.Check(err)
		ts.Setenv("DIGEST_"+strings.ToUpper(tag), d.String())
	}
	layers, err := imgs["latest"].Layers()
	ts.Check(err)
	for i, name := range []string{"LAYER_BASE", "LAYER_FILLER1", "LAYER_VIM", "LAYER_FILLER2", "LAYER_NEXT"} {
		d, err := layers[i].Digest()
		ts.Check(err)
		ts.Setenv(name, d.String())
	}
	log, err := os.OpenFile(ts.MkAbs("registry.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644) // appends: a script may empty it
	ts.Check(err)
	ts.Defer(func() { log.Close() })
	reg.LogTo(log)
	if len(args) == 1 && args[0] == "-deny" {
		reg.Deny()
	} else if len(args) > 0 {
		ts.Fatalf("usage: base-registry [-deny | -layout DIR]")
	}
	ts.Setenv("REGISTRY", reg.Host)
	ts.Setenv("BASE_IMAGE", reg.Host+"/os/base")
}
