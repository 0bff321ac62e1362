package manifest

import (
	"encoding/json"

	"github.com/bkt-dev/bkt/internal/fail"
)

// LoadPending loads d from root, unless pending holds an edit of its file
// that is not written yet (a dry run's preview): then that edit's content
// is what a deriver must see.
func LoadPending(root string, d Doc, pending []FileDiff) error {
	rel := RelPath(d)
	for _, fd := range pending {
		if fd.Path != rel || !fd.Changed {
			continue
		}
		reset(d)
		// Edit only returns content that loads back, canonically
		// formatted: decoding it is enough.
		if err := json.Unmarshal(fd.After, d); err != nil {
			return fail.Wrap(fail.General, err, "Cannot read the pending change of %s", rel).WithDetail("%v", err)
		}
		return nil
	}
	return Load(root, d)
}
