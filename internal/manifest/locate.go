package manifest

// ValidateKind is ValidateAll for the files of one kind (the changelog's
// pending entries, for `bkt changelog validate`).
func ValidateKind(root string, k Kind) ([]Problem, error) {
	return validateAll(root, []Kind{k})
}

// ProblemAt is a problem with the member at pointer of rel, whose content
// is data, placed at its line and column as validation places its own:
// for checks made outside this package (a draft changelog entry).
func ProblemAt(rel string, data []byte, pointer, message string) Problem {
	p := Problem{Pointer: pointer, Message: message}
	tree, _, err := parseTree(data)
	if err != nil {
		p.File = rel
		return p
	}
	return locate(rel, data, tree, []Problem{p})[0]
}

// Decode reads data, the content of rel in another version of the
// repository (a git commit), into d, validating it as Load does.
func Decode(rel string, data []byte, d Doc) error {
	return decode(rel, data, d)
}
