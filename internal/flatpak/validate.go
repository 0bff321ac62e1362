package flatpak

import (
	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
)

// checkNames applies the manifest's rules (manifest.AppID, RemoteName,
// Branch, RemoteURL) to the change before any flatpak command sees it:
// what a command accepts can be recorded, and nothing reaches flatpak as
// an option.
func checkNames(c pipeline.Change) error {
	idRule := manifest.AppID
	if c.Action == ActRemoteAdd || c.Action == ActRemoteRemove {
		idRule = manifest.RemoteName
	}
	for _, id := range c.IDs {
		if err := idRule.Check(id); err != nil {
			return invalidName(err, c)
		}
	}
	o := optionsOf(c)
	for _, f := range []struct {
		value string
		rule  *manifest.Rule
	}{{o.Remote, manifest.RemoteName}, {o.Branch, manifest.Branch}, {o.URL, manifest.RemoteURL}} {
		if f.value != "" {
			if err := f.rule.Check(f.value); err != nil {
				return invalidName(err, c)
			}
		}
	}
	return nil
}

func invalidName(err error, c pipeline.Change) error {
	next := "See the managed apps: bkt flatpak list"
	if c.Action == ActRemoteAdd || c.Action == ActRemoteRemove {
		next = "See the remotes: bkt flatpak remote list"
	}
	return fail.Wrap(fail.Usage, err, "%v", err).Next(next)
}
