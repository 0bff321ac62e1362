package git

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/bkt-dev/bkt/internal/run"
	"github.com/bkt-dev/bkt/internal/testenv/gittest"
)

// The questions of bkt changelog check and generate: one git process each,
// paths relative to a directory below the top level, untracked files
// apart, files of a commit read back (a missing one left out).
func TestChangedSinceReadFiles(t *testing.T) {
	g, _, _ := setup(t)
	c := context.Background()
	sub := filepath.Join(g.Dir, "distro")
	gittest.WriteFile(t, filepath.Join(sub, "m", "a.json"), "one\n")
	gittest.WriteFile(t, filepath.Join(sub, "m", "gone.json"), "gone\n")
	gittest.Git(t, g.Dir, "add", ".")
	gittest.Git(t, g.Dir, "commit", "-qm", "sub")
	base, err := g.MergeBase(c, "main", "HEAD")
	if err != nil || len(base) != 40 {
		t.Fatalf("MergeBase = %q, %v", base, err)
	}
	gittest.WriteFile(t, filepath.Join(sub, "m", "a.json"), "two\n")
	if err := os.Remove(filepath.Join(sub, "m", "gone.json")); err != nil {
		t.Fatal(err)
	}
	gittest.WriteFile(t, filepath.Join(sub, "m", "new.json"), "new\n")
	gittest.WriteFile(t, filepath.Join(sub, "other.txt"), "x\n")
	count := &counter{Next: run.Exec{}}
	d := New(count, sub)
	changed, err := d.ChangedSince(c, base, "m")
	if want := []FileChange{{"M", "m/a.json"}, {"D", "m/gone.json"}}; err != nil || !slices.Equal(changed, want) {
		t.Errorf("ChangedSince = %v, %v; want %v", changed, err, want)
	}
	if u, err := d.Untracked(c, "m"); err != nil || !slices.Equal(u, []string{"m/new.json"}) {
		t.Errorf("Untracked = %q, %v", u, err)
	}
	files, err := d.ReadFiles(c, base, []string{"m/a.json", "m/new.json", "m/gone.json"})
	if err != nil || len(files) != 2 || string(files["m/a.json"]) != "one\n" || string(files["m/gone.json"]) != "gone\n" {
		t.Errorf("ReadFiles = %q, %v", files, err)
	}
	if count.n != 3 {
		t.Errorf("ran %d git processes, want one per question", count.n)
	}
}

// counter counts the commands run.
type counter struct {
	Next run.Runner
	n    int
}

func (c *counter) Run(ctx context.Context, cmd run.Cmd) (run.Result, error) {
	c.n++
	return c.Next.Run(ctx, cmd)
}
