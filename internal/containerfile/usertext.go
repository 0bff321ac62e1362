package containerfile

import "strings"

// UserLines are the lines of the user's text outside bkt's sections, in
// order, without line endings: what `bkt changelog generate` compares
// between two versions of a Containerfile.
func (f *File) UserLines() []string {
	var out []string
	for _, t := range f.userText() {
		s := strings.ReplaceAll(string(t), "\r\n", "\n")
		s = strings.TrimSuffix(s, "\n")
		if s == "" {
			continue
		}
		out = append(out, strings.Split(s, "\n")...)
	}
	return out
}
