package main

import (
	"os"
	"os/exec"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bkt-dev/bkt/internal/manifest"
)

// cmdPlanMatches checks that a commit made exactly the file edits a dry
// run planned: plan-matches PLAN.json GITDIR BASE BRANCH. PLAN.json is a
// `--dry-run --json` result; for every file its plan lists, the diff of
// that file from BASE to BRANCH (computed the way bkt computes diffs) must
// be the planned diff, and the commit must change no other file.
func cmdPlanMatches(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: plan-matches PLAN.json GITDIR BASE BRANCH")
	}
	var out struct {
		Result struct { // the --json envelope's payload
			Plan struct {
				Manifest []struct{ File, Diff string } `json:"manifest"`
			} `json:"plan"`
		} `json:"result"`
	}
	readJSON(ts, args[0], &out)
	res := out.Result
	if len(res.Plan.Manifest) == 0 {
		ts.Fatalf("the plan lists no file edit")
	}
	gitdir, base, branch := ts.MkAbs(args[1]), args[2], args[3]
	git := func(args ...string) []byte {
		cmd := exec.Command("git", append([]string{"--git-dir", gitdir}, args...)...)
		cmd.Env = os.Environ()
		out, err := cmd.Output()
		if err != nil {
			ts.Fatalf("git %s: %v", strings.Join(args, " "), err)
		}
		return out
	}
	changed := strings.Fields(string(git("diff", "--name-only", base, branch)))
	planned := map[string]bool{}
	for _, m := range res.Plan.Manifest {
		planned[m.File] = true
		var before []byte // nil for a file the commit adds (a changelog entry)
		if exec.Command("git", "--git-dir", gitdir, "cat-file", "-e", base+":"+m.File).Run() == nil {
			before = git("show", base+":"+m.File)
		}
		got := manifest.NewFileDiff(m.File, before, git("show", branch+":"+m.File)).Diff
		if got != m.Diff {
			ts.Fatalf("%s: committed\n%s\nplanned\n%s", m.File, got, m.Diff)
		}
		ts.Logf("%s: committed as planned", m.File)
	}
	for _, f := range changed {
		if !planned[f] {
			ts.Fatalf("the commit changes %s, which the plan does not list", f)
		}
	}
}
