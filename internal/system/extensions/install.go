package extensions

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/bkt-dev/bkt/internal/filekind"
)

// Limits for unpacking: EGO itself refuses extensions over 5 MB
// uncompressed; these only stop a hostile zip from filling the disk.
const (
	maxUnpacked = 64 << 20
	maxEntries  = 10000
)

// uuidRE is what EGO accepts as a UUID. It also makes a UUID safe to use
// as one path element.
var uuidRE = regexp.MustCompile(`^[-a-zA-Z0-9@._]+$`)

// ValidUUID reports whether uuid is a well-formed extension UUID.
func ValidUUID(uuid string) bool {
	return uuidRE.MatchString(uuid) && uuid != "." && uuid != ".." && !strings.HasPrefix(uuid, ".")
}

// DataHome is $XDG_DATA_HOME, else ~/.local/share.
func DataHome() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".local", "share")
}

// UserDir is where the Shell finds the user's extensions.
func UserDir(dataHome string) string {
	return filepath.Join(dataHome, "gnome-shell", "extensions")
}

// SystemDirs are where the Shell finds extensions installed with the OS
// (the image's): gnome-shell/extensions under every $XDG_DATA_DIRS entry.
func SystemDirs() []string {
	dirs := os.Getenv("XDG_DATA_DIRS")
	if dirs == "" {
		dirs = "/usr/local/share:/usr/share"
	}
	var out []string
	for _, d := range filepath.SplitList(dirs) {
		if filepath.IsAbs(d) {
			out = append(out, filepath.Join(d, "gnome-shell", "extensions"))
		}
	}
	return out
}

// metadata is the part of an extension's metadata.json bkt checks.
type metadata struct {
	UUID string `json:"uuid"`
}

// InstallError is a zip that cannot be installed as the extension asked for.
type InstallError struct {
	UUID   string
	Reason string
}

func (e *InstallError) Error() string {
	return fmt.Sprintf("cannot install %s: %s", e.UUID, e.Reason)
}

// Install unpacks an extension zip into UserDir(dataHome)/uuid, replacing
// an existing copy. It refuses entries that would land outside that
// directory (absolute paths, "..", links, devices) and a zip whose
// metadata.json names another UUID. The zip is unpacked into a temporary
// directory next to the target and renamed into place, so the Shell never
// sees a half-written extension.
func Install(data []byte, dataHome, uuid string) error {
	if !ValidUUID(uuid) {
		return &InstallError{UUID: uuid, Reason: "not a valid extension UUID"}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return &InstallError{UUID: uuid, Reason: "the download is not a zip file: " + err.Error()}
	}
	if err := checkEntries(zr, uuid); err != nil {
		return err
	}
	base := UserDir(dataHome)
	if err := os.MkdirAll(base, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", base, err)
	}
	tmp, err := os.MkdirTemp(base, ".bkt-unpack-")
	if err != nil {
		return fmt.Errorf("unpacking %s: %w", uuid, err)
	}
	defer os.RemoveAll(tmp)
	// MkdirTemp makes 0700; the Shell and other users' tools read 0755.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := unpack(zr, tmp); err != nil {
		return fmt.Errorf("unpacking %s: %w", uuid, err)
	}
	return replaceDir(tmp, filepath.Join(base, uuid))
}

// checkEntries vets the whole zip before anything is written.
func checkEntries(zr *zip.Reader, uuid string) error {
	if len(zr.File) > maxEntries {
		return &InstallError{UUID: uuid, Reason: fmt.Sprintf("the zip has over %d entries", maxEntries)}
	}
	var total uint64
	var meta *zip.File
	for _, f := range zr.File {
		name := strings.TrimSuffix(f.Name, "/")
		if !safeName(name) {
			return &InstallError{UUID: uuid, Reason: fmt.Sprintf("the zip entry %q would be written outside the extension's directory", f.Name)}
		}
		mode := f.Mode()
		if !mode.IsRegular() && !mode.IsDir() {
			return &InstallError{UUID: uuid, Reason: fmt.Sprintf("the zip entry %q is %s, not a file or directory", f.Name, filekind.Name(mode))}
		}
		total += f.UncompressedSize64
		if total > maxUnpacked {
			return &InstallError{UUID: uuid, Reason: fmt.Sprintf("it unpacks to over %d MB", maxUnpacked>>20)}
		}
		if name == "metadata.json" && mode.IsRegular() {
			meta = f
		}
	}
	if meta == nil {
		return &InstallError{UUID: uuid, Reason: "the zip has no metadata.json at its top level"}
	}
	m, err := readMetadata(meta)
	if err != nil {
		return &InstallError{UUID: uuid, Reason: "its metadata.json is unreadable: " + err.Error()}
	}
	if m.UUID != uuid {
		return &InstallError{UUID: uuid, Reason: fmt.Sprintf("its metadata.json says it is %q", m.UUID)}
	}
	return nil
}

// safeName accepts a relative, slash-separated path that stays inside the
// directory it is unpacked into. Backslashes are refused rather than
// guessed at: on Linux they would be part of a file name.
func safeName(name string) bool {
	if name == "" || strings.Contains(name, `\`) || strings.ContainsRune(name, 0) {
		return false
	}
	return filepath.IsLocal(filepath.FromSlash(name)) && !slices.Contains(strings.Split(name, "/"), "..")
}

func readMetadata(f *zip.File) (metadata, error) {
	rc, err := f.Open()
	if err != nil {
		return metadata{}, err
	}
	defer rc.Close()
	var m metadata
	err = json.NewDecoder(io.LimitReader(rc, 1<<20)).Decode(&m)
	return m, err
}

// unpack writes the vetted entries under dir. Files get 0644 (0755 when
// the zip marks them executable), directories 0755: the zip's other bits
// (setuid, group-writable) are not carried over.
func unpack(zr *zip.Reader, dir string) error {
	for _, f := range zr.File {
		name := strings.TrimSuffix(f.Name, "/")
		target := filepath.Join(dir, filepath.FromSlash(name))
		if f.Mode().IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		perm := os.FileMode(0o644)
		if f.Mode().Perm()&0o111 != 0 {
			perm = 0o755
		}
		if err := writeEntry(f, target, perm); err != nil {
			return err
		}
	}
	return nil
}

func writeEntry(f *zip.File, target string, perm os.FileMode) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	defer rc.Close()
	// O_EXCL: a name repeated in the zip is refused, never written twice.
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	// The declared size was checked; a lying header cannot exceed it.
	_, err = io.Copy(out, io.LimitReader(rc, int64(f.UncompressedSize64)+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	return nil
}

// replaceDir moves src to dst. An existing dst is first moved aside and
// restored if the move fails, so a failed upgrade keeps the old version.
func replaceDir(src, dst string) error {
	old := ""
	if _, err := os.Lstat(dst); err == nil {
		old = filepath.Join(filepath.Dir(src), ".bkt-old-"+filepath.Base(dst))
		_ = os.RemoveAll(old)
		if err := os.Rename(dst, old); err != nil {
			return fmt.Errorf("replacing %s: %w", dst, err)
		}
	}
	if err := os.Rename(src, dst); err != nil {
		if old != "" {
			_ = os.Rename(old, dst)
		}
		return fmt.Errorf("installing %s: %w", dst, err)
	}
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("removing the previous version of %s: %w", dst, err)
		}
	}
	return nil
}

// Uninstall deletes the user's copy of the extension; a missing one is
// not an error. Extensions installed with the OS are not touched.
func Uninstall(dataHome, uuid string) error {
	if !ValidUUID(uuid) {
		return &InstallError{UUID: uuid, Reason: "not a valid extension UUID"}
	}
	dir := filepath.Join(UserDir(dataHome), uuid)
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing %s: %w", dir, err)
	}
	return nil
}

// Installed lists the UUIDs of the user's extensions: the directories of
// UserDir(dataHome) that hold a metadata.json. A missing directory means
// none.
func Installed(dataHome string) ([]string, error) {
	return InstalledIn(UserDir(dataHome))
}

// InstalledIn lists the extensions of one extensions directory, sorted.
func InstalledIn(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !ValidUUID(e.Name()) {
			continue // our own .bkt-* leftovers, stray files
		}
		// Stat, not Lstat: a linked extension directory (a developer's
		// checkout) is as installed as a real one.
		if fi, err := os.Stat(filepath.Join(dir, e.Name(), "metadata.json")); err == nil && fi.Mode().IsRegular() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}
