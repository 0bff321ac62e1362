package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkUpstreamCheck runs bkt upstream check over 50 pins, each on its
// own repository, against the fake releases API
// adding 100 ms to every answer. It reports the API requests of a cold
// run (empty ETag cache) and of a warm one, the 304s among the warm run's,
// and the wall time of the cold run; the loop times warm runs. Run:
//
//	go test ./cmd/bkt -run '^$' -bench UpstreamCheck -benchtime 5x
func BenchmarkUpstreamCheck(b *testing.B) {
	const pins, delay = 50, 100 * time.Millisecond
	dir := b.TempDir()
	bkt := filepath.Join(dir, "bkt")
	if out, err := exec.Command("go", "build", "-o", bkt, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	type asset struct {
		Name string `json:"name"`
		File string `json:"file"`
	}
	type release struct {
		Tag    string    `json:"tag"`
		Date   time.Time `json:"date"`
		Assets []asset   `json:"assets"`
	}
	type repo struct {
		Releases []release `json:"releases"`
	}
	cfg := struct {
		Repos   map[string]repo `json:"repos"`
		PerPage int             `json:"per_page"`
	}{Repos: map[string]repo{}}
	var list []map[string]any
	for i := range pins {
		name := fmt.Sprintf("t%02d", i)
		var rels []release
		for j, tag := range []string{"v1.3.0", "v1.2.4", "v1.2.3"} {
			rels = append(rels, release{Tag: tag, Date: time.Date(2026, 3-time.Month(j), 1, 0, 0, 0, 0, time.UTC),
				Assets: []asset{{Name: name + "-linux", File: "asset"}}})
		}
		cfg.Repos["acme/"+name] = repo{Releases: rels}
		list = append(list, map[string]any{"name": name, "version": "v1.2.3", "policy": "patch",
			"source":  map[string]string{"type": "github-release", "repo": "acme/" + name, "asset": name + "-linux"},
			"install": map[string]string{"type": "binary", "path": "/usr/bin/" + name}})
	}
	write := func(path string, v any) {
		data, _ := json.Marshal(v)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write(filepath.Join(dir, "releases.json"), cfg)
	if err := os.WriteFile(filepath.Join(dir, "asset"), []byte("bytes"), 0o644); err != nil {
		b.Fatal(err)
	}
	srv := newReleaseServer(filepath.Join(dir, "releases.json"), "")
	srv.Delay = delay
	defer srv.Close()

	env := append(os.Environ(), "BKT_GITHUB_API_URL="+srv.URL(), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "GH_TOKEN=", "GITHUB_TOKEN=", "BKT_REPO=", "NO_COLOR=1",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=b", "GIT_AUTHOR_EMAIL=b@example.com", "GIT_COMMITTER_NAME=b", "GIT_COMMITTER_EMAIL=b@example.com")
	run := func(wd string, args ...string) {
		c := exec.Command(bkt, args...)
		c.Env, c.Dir = env, wd
		if out, err := c.CombinedOutput(); err != nil {
			b.Fatalf("bkt %v: %v\n%s", args, err, out)
		}
	}
	run(dir, "init", "distro", "--owner", "me", "--name", "distro")
	distro := filepath.Join(dir, "distro")
	write(filepath.Join(distro, "upstream", "manifest.json"), map[string]any{"upstreams": list})

	start := time.Now()
	run(distro, "upstream", "check")
	cold := time.Since(start)
	coldReqs := srv.Requests.Swap(0)
	start = time.Now()
	run(distro, "upstream", "check")
	warm := time.Since(start)
	warmReqs, warm304 := srv.Requests.Swap(0), srv.NotModified.Swap(0)
	b.Logf("%d pins, %v per answer: cold run %v, %d requests; warm run %v, %d requests, %d of them 304",
		pins, delay, cold.Round(time.Millisecond), coldReqs, warm.Round(time.Millisecond), warmReqs, warm304)
	for b.Loop() {
		run(distro, "upstream", "check")
	}
	b.ReportMetric(cold.Seconds(), "cold-s")
	b.ReportMetric(float64(coldReqs), "cold-requests")
	b.ReportMetric(float64(warmReqs), "warm-requests")
	b.ReportMetric(float64(warm304), "warm-304s")
}
