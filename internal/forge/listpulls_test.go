package forge

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/forge/fakegithub"
)

// ListPulls reads every page GitHub names (Link rel="next"), newest
// first, with one request per page whatever the number of branches.
func TestListPullsFollowsPages(t *testing.T) {
	srv := fakegithub.New()
	defer srv.Close()
	srv.MaxPerPage = 2
	c := client(t, srv.URL, fakegithub.DefaultToken)
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		if _, err := c.CreatePull(ctx, "me", "distro", PullRequest{Title: "t", Head: fmt.Sprintf("bkt/b%d", i), Base: "main"}); err != nil {
			t.Fatal(err)
		}
	}
	srv.Merge(2)
	before := len(srv.Requests())
	pulls, complete, err := c.ListPulls(ctx, "me", "distro")
	if err != nil || !complete {
		t.Fatalf("ListPulls: complete %v, %v", complete, err)
	}
	var heads []string
	for _, p := range pulls {
		heads = append(heads, fmt.Sprintf("%s#%d:%s:%v", p.Head, p.Number, p.State, p.Merged))
	}
	if got, want := strings.Join(heads, " "), "bkt/b5#5:open:false bkt/b4#4:open:false bkt/b3#3:open:false bkt/b2#2:closed:true bkt/b1#1:open:false"; got != want {
		t.Errorf("ListPulls = %s\nwant %s", got, want)
	}
	reqs := srv.Requests()[before:]
	if len(reqs) != 3 {
		t.Fatalf("%d requests for 3 pages: %+v", len(reqs), reqs)
	}
	for i, r := range reqs {
		if r.Method != http.MethodGet || r.Path != "/repos/me/distro/pulls" || !strings.Contains(r.Query, "state=all") || !strings.Contains(r.Query, "per_page=100") {
			t.Errorf("request %d = %+v", i, r)
		}
	}
}

// Pull requests from forks are not the repository's branches, even with
// the same branch name; more pages than the bound leave the listing
// incomplete rather than read forever; a next page on another host does
// not get the token.
func TestListPullsServer(t *testing.T) {
	var srv *httptest.Server
	pages, foreign := 0, false
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pages++
		next := srv.URL + "/repos/me/distro/pulls?page=" + fmt.Sprint(pages+1)
		if foreign {
			next = "http://elsewhere.example/repos/me/distro/pulls?page=2"
		}
		w.Header().Set("Link", "<"+next+`>; rel="next", <`+srv.URL+`/last>; rel="last"`)
		fmt.Fprintf(w, `[{"number": %d, "state": "open", "head": {"ref": "bkt/a", "repo": {"full_name": "Me/Distro"}}},
			{"number": 100, "state": "open", "head": {"ref": "bkt/a", "repo": {"full_name": "fork/distro"}}},
			{"number": 101, "state": "closed", "head": {"ref": "bkt/gone", "repo": null}}]`, pages)
	}))
	defer srv.Close()
	c := client(t, srv.URL, fakegithub.DefaultToken)

	pulls, complete, err := c.ListPulls(context.Background(), "me", "distro")
	if err != nil || complete || pages != maxPullPages || len(pulls) != maxPullPages {
		t.Fatalf("ListPulls: %d pulls, complete %v, %d pages, %v", len(pulls), complete, pages, err)
	}
	for _, p := range pulls {
		if p.Head != "bkt/a" || p.Number >= 100 {
			t.Errorf("listed %+v", p)
		}
	}

	pages, foreign = 0, true
	_, _, err = c.ListPulls(context.Background(), "me", "distro")
	checkErr(t, err, fail.Network, "not following GitHub's redirect", "BKT_GITHUB_API_URL")
	if pages != 1 {
		t.Errorf("%d pages asked", pages)
	}
}

func TestNextPage(t *testing.T) {
	for _, tc := range []struct{ link, want string }{
		{`<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last"`, "https://api.github.com/x?page=2"},
		{`<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; rel="next"`, "https://api.github.com/x?page=3"},
		{`<https://api.github.com/x?page=1>; rel="first"`, ""},
		{`garbage`, ""},
		{``, ""},
	} {
		h := http.Header{}
		if tc.link != "" {
			h.Set("Link", tc.link)
		}
		if got := nextPage(h); got != tc.want {
			t.Errorf("nextPage(%q) = %q, want %q", tc.link, got, tc.want)
		}
	}
}
