package lifecycle_test

import (
	"context"
	"slices"
	"testing"

	"github.com/bkt-dev/bkt/internal/changelog"
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/lifecycle"
)

// The booted version's changelog is part of the overview; its manual
// steps, until acknowledged, call for bkt changelog ack; a failed read is
// named in Errors.
func TestGatherChangelog(t *testing.T) {
	ack := "Do the manual steps of v2, then: bkt changelog ack"
	for name, tc := range map[string]struct {
		news    *changelog.News
		err     error
		wantAck bool
	}{
		"steps to do":  {&changelog.News{Version: "v2", ManualSteps: []string{"Reboot"}}, nil, true},
		"acknowledged": {&changelog.News{Version: "v2", ManualSteps: []string{"Reboot"}, Acknowledged: true}, nil, false},
		"no steps":     {&changelog.News{Version: "v2", ManualSteps: []string{}}, nil, false},
		"failed":       {nil, fail.New(fail.External, "Cannot tell which version is booted"), false},
	} {
		t.Run(name, func(t *testing.T) {
			src := sources(tree{branch: "main"}, nil, nil)
			src.Changelog = func(context.Context) (*changelog.News, error) { return tc.news, tc.err }
			o := lifecycle.Gather(t.Context(), src)
			if o.Changelog != tc.news {
				t.Errorf("changelog = %+v", o.Changelog)
			}
			if got := slices.Contains(o.NextSteps, ack); got != tc.wantAck {
				t.Errorf("next steps = %q", o.NextSteps)
			}
			if (o.Errors["changelog"] != "") != (tc.err != nil) {
				t.Errorf("errors = %v", o.Errors)
			}
		})
	}
}
