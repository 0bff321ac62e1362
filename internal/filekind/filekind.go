// Package filekind names the type of a file in words, for messages that
// refuse a file because it is not a regular one.
package filekind

import "io/fs"

// Name names the type in m with its article: "a directory", "a symbolic
// link", "a named pipe"… and "a special file" for any other non-regular
// type. A regular file is "a regular file".
func Name(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "a special file"
}
