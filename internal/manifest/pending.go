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

// Combine makes one FileDiff per file of diffs, in the order of their first
// edit: from the first edit's Before to the last edit's After. Several
// changes of one command that edit the same manifest each return a diff of
// it; what the command commits, and what the derivers must see, is their
// sum, not the first of them.
func Combine(diffs []FileDiff) []FileDiff {
	at := map[string]int{}
	var out []FileDiff
	for _, fd := range diffs {
		i, seen := at[fd.Path]
		if !seen {
			at[fd.Path] = len(out)
			out = append(out, fd)
			continue
		}
		out[i] = NewFileDiff(fd.Path, out[i].Before, fd.After)
	}
	return out
}
