package forge

import (
	"context"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/forge/fakegithub"
)

func TestClosePull(t *testing.T) {
	gh := fakegithub.New()
	defer gh.Close()
	c := client(t, gh.URL, fakegithub.DefaultToken)
	ctx := context.Background()
	if _, err := c.CreatePull(ctx, "me", "distro", PullRequest{Title: "t", Head: "bkt/a", Base: "main"}); err != nil {
		t.Fatal(err)
	}
	pr, err := c.ClosePull(ctx, "me", "distro", 1)
	if err != nil || pr.State != "closed" || pr.Merged || pr.Head != "bkt/a" {
		t.Fatalf("ClosePull = %+v, %v", pr, err)
	}
	reqs := gh.Requests()
	if last := reqs[len(reqs)-1]; last.Method != "PATCH" || last.Path != "/repos/me/distro/pulls/1" || !strings.Contains(last.Body, `"state":"closed"`) {
		t.Errorf("request %+v", last)
	}
	if gh.Pulls()[0].State != "closed" {
		t.Errorf("the server still has it %s", gh.Pulls()[0].State)
	}
	_, err = c.ClosePull(ctx, "me", "distro", 7)
	checkErr(t, err, fail.Git, "GitHub has no pull request #7 in me/distro", "bkt pr list")
}
