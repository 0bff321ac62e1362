package gsetting

import (
	"context"

	"github.com/bkt-dev/bkt/internal/manifest"
	"github.com/bkt-dev/bkt/internal/pipeline"
	"github.com/bkt-dev/bkt/internal/run"
	gs "github.com/bkt-dev/bkt/internal/system/gsettings"
)

// Value is a setting's value on this machine and in the manifest.
type Value struct {
	Schema   string `json:"schema"`
	Key      string `json:"key"`
	Live     string `json:"live"`
	Declared string `json:"declared,omitempty"` // "" when the manifest does not set it
}

// Get reads one setting (`bkt gsetting get`, the verb people type): its
// value here and the manifest's, after the same schema and key checks as
// set, with suggestions on a typo.
func Get(ctx context.Context, r run.Runner, root, schema, key string) (Value, error) {
	v := Value{Schema: schema, Key: key}
	if err := checkNames(schema, key); err != nil {
		return v, err
	}
	g := gs.Gsettings{R: r}
	c := pipeline.Change{Domain: Name, Action: "get", IDs: []string{schema + " " + key}}
	if _, err := checkKey(ctx, g, schema, key, c); err != nil {
		return v, err
	}
	live, err := g.Get(ctx, schema, key)
	if err != nil {
		return v, queryFailed(err, "read "+schema+" "+key)
	}
	v.Live = live
	var m manifest.GSettings
	if err := manifest.Load(root, &m); err != nil {
		return v, err
	}
	for _, s := range m.Settings {
		if s.Schema == schema && s.Key == key {
			v.Declared = s.Value
		}
	}
	return v, nil
}
