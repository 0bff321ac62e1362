package manifest

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Rule is what one kind of identifier may look like. It is the one
// definition both sides use: the commands check their arguments with
// Check, and the JSON Schemas carry Pattern and MaxLen for the same field
// (TestSchemasUseRules keeps them equal). Every pattern forbids a leading
// "-", so no identifier can reach a tool's command line as an option,
// including tools that do not understand "--" (gsettings, dnf5).
type Rule struct {
	What    string // what the value is, for messages: "shim name"
	Pattern string // regular expression, as the schemas write it
	MaxLen  int    // most characters allowed (the schemas' maxLength), 0 = no limit
	Explain string // the pattern in words
	re      *regexp.Regexp
}

func rule(what, pattern string, maxLen int, explain string) *Rule {
	return &Rule{What: what, Pattern: pattern, MaxLen: maxLen, Explain: explain, re: regexp.MustCompile(pattern)}
}

// The identifier rules. Lengths: a name that becomes a file name (shim,
// extension UUID) is bounded by NAME_MAX, 255 bytes; others get the same
// generous limit, except paths and GSettings names (GLib allows 1024).
var (
	AppID = rule("flatpak app id", `^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+){2,}$`, 255,
		"reverse-DNS form with at least three parts (letters, digits, _ and -), e.g. org.mozilla.firefox")
	RemoteName = rule("flatpak remote name", `^[A-Za-z0-9_][A-Za-z0-9_.-]*$`, 255,
		"letters, digits, _ . -, starting with a letter, digit or _, e.g. flathub")
	Branch = rule("flatpak branch", `^[A-Za-z0-9_][A-Za-z0-9_.-]*$`, 255,
		"letters, digits, _ . -, starting with a letter, digit or _, e.g. stable")
	RemoteURL = rule("remote URL", `^[A-Za-z][A-Za-z0-9+.-]*://[^\s]+$`, 0,
		"a URL without spaces, e.g. https://dl.flathub.org/repo/flathub.flatpakrepo")
	ExtensionUUID = rule("extension UUID", `^[A-Za-z0-9_][A-Za-z0-9_.@-]*$`, 255,
		"letters, digits, _ . @ -, starting with a letter, digit or _, e.g. dash-to-dock@micxgx.gmail.com")
	GSchema = rule("GSettings schema", `^[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*(:/[^\s]*/)?$`, 1024,
		"a dotted schema id such as org.gnome.desktop.interface, with :/PATH/ for a relocatable schema")
	GKey = rule("GSettings key", `^[A-Za-z0-9][A-Za-z0-9_-]*$`, 1024,
		"letters, digits, _ and -, starting with a letter or digit, e.g. gtk-theme")
	ShimName = rule("shim name", `^[A-Za-z0-9_][A-Za-z0-9_.+-]*$`, 255,
		"a command name: letters, digits, _ . + -, starting with a letter, digit or _ (no /, no spaces)")
	ShimHost = rule("host command", `^[A-Za-z0-9_./+][A-Za-z0-9_./+-]*$`, 1024,
		"one program name or path (letters, digits, _ . / + -), not starting with -, without spaces or arguments")
	PackageName = rule("package name", `^[A-Za-z0-9_][A-Za-z0-9_.+-]*$`, 255,
		"an RPM name: letters, digits, _ . + -, starting with a letter, digit or _, e.g. htop")
	GroupID = rule("package group id", `^[A-Za-z0-9_][A-Za-z0-9_.+-]*$`, 255,
		"a group id (not its display name): letters, digits, _ . + -, e.g. development-tools")
	CoprName = rule("COPR project", `^@?[A-Za-z0-9_][A-Za-z0-9_.+-]*/[A-Za-z0-9_][A-Za-z0-9_.+-]*$`, 255,
		"OWNER/PROJECT (@GROUP/PROJECT for a group), e.g. atim/starship")
	ContainerName = rule("toolbox container name", `^[A-Za-z0-9][A-Za-z0-9_.-]*$`, 255,
		"letters, digits, _ . -, starting with a letter or digit, e.g. bkt-dev")
	ImageRef = rule("image reference", `^[^\s-][^\s]*$`, 0,
		"an image reference without spaces, e.g. registry.fedoraproject.org/fedora-toolbox:43")
	EntryID = rule("changelog entry id", `^[a-z0-9][a-z0-9._-]*$`, 200,
		"lower-case letters, digits, . _ -, starting with a letter or digit (the file name without .json), e.g. flatpak-add-1a2b3c4d5e6f")
	Date = rule("date", `^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`, 10, "YYYY-MM-DD, a day of the calendar, e.g. 2026-01-31")

	// Base-image assumptions (bkt base).
	ImageTag = rule("image tag", `^[A-Za-z0-9_][A-Za-z0-9_.-]*$`, 128,
		"letters, digits, _ . -, starting with a letter, digit or _, e.g. stable")
	ImagePath = rule("path", `^/[^\n]*$`, 4096, "an absolute path on one line, e.g. /usr/bin/bootc")
	// Version is a released version: it becomes the image's version label,
	// which rpm-ostree reports as the deployment's version.
	Version = rule("changelog version", `^[0-9A-Za-z][0-9A-Za-z._+~-]*$`, 128,
		"letters, digits, . _ + ~ -, starting with a letter or digit, e.g. 2026.01.31.1")
	ImageDigest = rule("image digest", `^[a-z0-9]+([+._-][a-z0-9]+)*:[A-Za-z0-9=_-]+$`, 255,
		"ALGORITHM:HEX, e.g. sha256:0123abcd…")

	// Upstream pins: every value may reach a RUN line of the Containerfile
	// (shell-quoted there), so none admits blanks or control characters.
	UpstreamName = rule("upstream name", `^[A-Za-z0-9_][A-Za-z0-9_.+-]*$`, 255,
		"letters, digits, _ . + -, starting with a letter, digit or _, e.g. starship")
	GitHubRepo = rule("GitHub repository", `^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`, 255,
		"OWNER/NAME, e.g. starship/starship")
	UpstreamVersion = rule("upstream version", `^[A-Za-z0-9_.+@/-]+$`, 255,
		"a release tag, commit or date: letters, digits, _ . + @ / -, e.g. v1.24.1")
	CommitID    = rule("commit", `^[0-9a-f]{40}$`, 40, "40 lower-case hex digits")
	SHA256Sum   = rule("sha256", `^[0-9a-f]{64}$`, 64, "64 lower-case hex digits")
	DownloadURL = rule("download URL", `^https?://[!-~]+$`, 2048,
		"an http(s) URL of printable characters without spaces, e.g. https://example.com/{version}/tool.tar.gz")
	AssetGlob = rule("asset glob", `^[A-Za-z0-9_.+@{}*?!\[\]-]+$`, 255,
		"an asset name or glob (* ? [..]) with {version} or {tag}, e.g. starship-x86_64-unknown-linux-gnu.tar.gz")
	InstallPath = rule("install path", `^/[A-Za-z0-9_.+@/-]*$`, 1024,
		"an absolute path of letters, digits, _ . + @ / -, e.g. /usr/bin/starship")
	ArchiveMember = rule("archive member", `^[A-Za-z0-9_.+@/*?-]+$`, 1024,
		"a path inside the archive (letters, digits, _ . + @ / * ? -), e.g. starship")
)

// schemaRules names the rule behind every "pattern" of the schemas, by
// schema location (kind#pointer): the hand-written schemas must say
// exactly what the commands check (TestSchemasUseRules), and a value that
// breaks one is explained in the rule's own words.
var schemaRules = map[string]*Rule{
	"base-image-assumptions#/properties/image":              ImageRef,
	"base-image-assumptions#/properties/tags/items":         ImageTag,
	"base-image-assumptions#/$defs/package/properties/name": PackageName,
	"base-image-assumptions#/$defs/file/properties/path":    ImagePath,

	"changelog-entry#/properties/id":                   EntryID,
	"changelog-entry#/properties/date":                 Date,
	"changelog#/$defs/release/properties/version":      Version,
	"changelog#/$defs/release/properties/date":         Date,
	"changelog#/$defs/release/properties/image_digest": ImageDigest,
	"changelog#/$defs/entry/properties/id":             EntryID,
	"changelog#/$defs/entry/properties/date":           Date,
	"copr-repos#/$defs/copr/properties/name":           CoprName,
	"flatpak-apps#/$defs/app/properties/id":            AppID,
	"flatpak-apps#/$defs/app/properties/remote":        RemoteName,
	"flatpak-apps#/$defs/app/properties/branch":        Branch,
	"flatpak-remotes#/$defs/remote/properties/name":    RemoteName,
	"flatpak-remotes#/$defs/remote/properties/url":     RemoteURL,
	"gnome-extensions#/$defs/uuid":                     ExtensionUUID,
	"gsettings#/$defs/setting/properties/schema":       GSchema,
	"gsettings#/$defs/setting/properties/key":          GKey,
	"host-shims#/$defs/shim/properties/name":           ShimName,
	"host-shims#/$defs/shim/properties/host":           ShimHost,
	"system-packages#/$defs/package":                   PackageName,
	"system-packages#/$defs/group":                     GroupID,
	"toolbox-packages#/properties/container":           ContainerName,
	"toolbox-packages#/properties/image":               ImageRef,
	"toolbox-packages#/properties/coprs/items":         CoprName,
	"toolbox-packages#/$defs/package":                  PackageName,
	"toolbox-packages#/$defs/group":                    GroupID,
	"upstream#/$defs/upstream/properties/name":         UpstreamName,
	"upstream#/$defs/upstream/properties/version":      UpstreamVersion,
	"upstream#/$defs/upstream/properties/commit":       CommitID,
	"upstream#/$defs/upstream/properties/url":          DownloadURL,
	"upstream#/$defs/upstream/properties/sha256":       SHA256Sum,
	"upstream#/$defs/source/properties/repo":           GitHubRepo,
	"upstream#/$defs/source/properties/asset":          AssetGlob,
	"upstream#/$defs/source/properties/url":            DownloadURL,
	"upstream#/$defs/install/properties/path":          InstallPath,
	"upstream#/$defs/install/properties/extract/items": ArchiveMember,
}

// InvalidError is a value that breaks its rule.
type InvalidError struct {
	Rule   *Rule
	Value  string
	Reason string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("%s is not a valid %s: %s", shorten(e.Value), e.Rule.What, e.Reason)
}

// Check returns an *InvalidError when s breaks the rule, saying why: the
// limit for an over-long value, the option for a leading "-", else the
// rule in words.
func (r *Rule) Check(s string) error {
	var reason string
	switch n := utf8.RuneCountInString(s); {
	case s == "":
		reason = "it is empty"
	case r.MaxLen > 0 && n > r.MaxLen:
		reason = fmt.Sprintf("it is %d characters long, over the limit of %d", n, r.MaxLen)
	case strings.HasPrefix(s, "-"):
		reason = "it starts with '-', which a tool would read as an option; expected " + r.Explain
	case !r.re.MatchString(s):
		reason = "expected " + r.Explain
	default:
		return nil
	}
	return &InvalidError{Rule: r, Value: s, Reason: reason}
}

// shorten quotes s for a message, cutting a very long value.
func shorten(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q…", string([]rune(s)[:max]))
}

// ruleAt returns the rule of the schema at url (a schema location such as
// https://bkt.invalid/schemas/host-shims.schema.json#/$defs/shim/properties/host).
func ruleAt(url string) *Rule {
	base, frag, _ := strings.Cut(url, "#")
	name := strings.TrimSuffix(strings.TrimPrefix(base, schemaBase), ".schema.json")
	return schemaRules[name+"#"+frag]
}
