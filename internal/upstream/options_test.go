package upstream

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/bkt-dev/bkt/internal/forge"
	"github.com/bkt-dev/bkt/internal/pipeline"
)

// The options survive the local log and the commit trailers: flat
// strings out (pipeline.Metadata), the same options back (DecodeOptions),
// Pins included; an unknown key is refused.
func TestOptionsRoundTrip(t *testing.T) {
	reg := pipeline.NewRegistry(Domain{})
	for _, o := range []Options{
		{Source: "github-release", Repo: "acme/tool", Asset: "tool-{version}", Version: "v1.2.3", Policy: "minor", Install: "binary", Path: "/usr/bin/tool", Strip: "1", Extract: "a,b"},
		{Pins: map[string]Lock{"a.b": {Version: "v2", URL: "https://x/y", SHA256: "00"}, "c": {Version: "v1", Commit: "ff"}}},
		{Map: "keyd=rvaiya/keyd"},
	} {
		meta := pipeline.Metadata(o)
		back, err := reg.DecodeOptions("upstream", meta)
		if err != nil {
			t.Fatalf("%v: %v", meta, err)
		}
		if !reflect.DeepEqual(back, o) {
			t.Errorf("round trip of %+v gave %+v (meta %v)", o, back, meta)
		}
	}
	if _, err := reg.DecodeOptions("upstream", map[string]string{"colour": "red"}); err == nil {
		t.Error("an unknown option was accepted")
	}
	if _, err := reg.DecodeOptions("upstream", map[string]string{"size:x": "1"}); err == nil {
		t.Error("an unknown pin field was accepted")
	}
}

// The pins' API is api.github.com whatever the checkout, and a download —
// its URL comes from the manifest, anyone's pull request — carries no token.
func TestNoTokenOnDownloads(t *testing.T) {
	t.Setenv("BKT_GITHUB_API_URL", "")
	t.Setenv("GH_TOKEN", "secret")
	f := forge.NewPublic(nil, nil)
	target, err := f.Target(context.Background())
	if err != nil || target.BaseURL != "https://api.github.com" {
		t.Fatalf("target %+v, %v", target, err)
	}
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = append(auth, r.Header.Get("Authorization"))
		_, _ = w.Write([]byte("bytes"))
	}))
	defer srv.Close()
	g := NewGitHub(f, srv.Client())
	sum, err := g.Sum(context.Background(), "x", srv.URL+"/asset")
	if err != nil || sum != "277089d91c0bdf4f2e6862ba7e4a07605119431f5d13f726dd352b06f1b206a9" {
		t.Fatalf("sum %s, %v", sum, err)
	}
	if len(auth) != 1 || auth[0] != "" {
		t.Errorf("download sent Authorization %q", auth)
	}
}
