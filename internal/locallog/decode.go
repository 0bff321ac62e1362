package locallog

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/manifest/repofile"
	"github.com/bkt-dev/bkt/internal/run"
)

// decode parses the log and says what is wrong with it precisely: where
// (file:line:col), which field, what was expected. Every error is exit 5.
func decode(path string, data []byte, l *Log) error {
	bad := func(format string, args ...any) *fail.Error {
		return fail.New(fail.Validation, format, args...).Next(
			"Look at it: cat "+run.Quote(path),
			"Fix it by hand, or start over (forgets the recorded changes): bkt local clear")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return bad("The local log %s is empty; expected a JSON object with \"changes\"", path)
	}
	if err := json.Unmarshal(data, l); err != nil {
		line, col, msg := repofile.JSONProblem(data, err)
		where := path
		if line > 0 {
			where = fmt.Sprintf("%s:%d:%d", path, line, col)
		}
		if bytes.HasPrefix(data, repofile.BOM) {
			return fail.New(fail.Validation, "The local log is broken: %s: %s", where, msg).Next(
				"Remove the mark: sed -i '1s/^\\xEF\\xBB\\xBF//' "+run.Quote(path),
				"Or start over (forgets the recorded changes): bkt local clear")
		}
		return bad("The local log is broken: %s: %s", where, msg)
	}
	for i, e := range l.Changes {
		for _, f := range []struct{ name, value string }{{"domain", e.Domain}, {"action", e.Action}, {"identifier", e.Identifier}} {
			if f.value == "" {
				return bad("The local log %s is not valid: change %d has no %q", path, i+1, f.name)
			}
		}
	}
	return nil
}
