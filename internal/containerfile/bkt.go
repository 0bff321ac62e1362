package containerfile

// The BKT section (SPEC §8): bkt and its privileged helper bkt-admin,
// built from source in the image build at the version the user's
// Containerfile pins (ARG BKT_VERSION, outside the section, so a newer bkt
// does not make the section stale), with the Go toolchain of the official
// golang image mounted for that one step: nothing of it stays in the
// image, and no prebuilt binary is downloaded. bkt-admin is setuid root
// and only executable by wheel (mode 4750); the allow-list of services it
// may start comes from the repository.

// GoImage is the image whose Go toolchain builds bkt.
const GoImage = "docker.io/library/golang:1.26"

// AllowListFile is the repository's list of units bkt-admin may start and
// stop, and AllowListPath where the image has it.
const (
	AllowListFile = "bkt-admin/allowed-services.txt"
	AllowListPath = "/usr/share/bootc/allowed-services.txt"
)

// bktLines renders the BKT section.
func bktLines() []string {
	return []string{
		"# bkt and its privileged helper bkt-admin, built from source at BKT_VERSION (set above).",
		"RUN --mount=type=bind,from=" + GoImage + ",source=/usr/local/go,target=/usr/local/go \\",
		stepIndent + "--mount=type=tmpfs,target=/tmp/bkt-build \\",
		stepIndent + `: "${BKT_VERSION:?set ARG BKT_VERSION=vX.Y.Z (or latest) before the BKT section}" \`,
		stepIndent + "&& HOME=/tmp/bkt-build GOPATH=/tmp/bkt-build/go GOCACHE=/tmp/bkt-build/cache CGO_ENABLED=0 GOBIN=/usr/bin \\",
		itemIndent + "/usr/local/go/bin/go install -trimpath \\",
		itemIndent + "github.com/bkt-dev/bkt/cmd/bkt@${BKT_VERSION} \\",
		itemIndent + "github.com/bkt-dev/bkt/cmd/bkt-admin@${BKT_VERSION} \\",
		stepIndent + "&& chown root:wheel /usr/bin/bkt-admin \\",
		stepIndent + "&& chmod 4750 /usr/bin/bkt-admin",
		"COPY " + AllowListFile + " " + AllowListPath,
	}
}
