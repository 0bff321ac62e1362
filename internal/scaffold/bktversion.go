package scaffold

import (
	"runtime/debug"
	"strings"
)

// bktVersion is the version of bkt a new repository's image builds (ARG
// BKT_VERSION in its Containerfile): this bkt's own module version when it
// was installed from a release (go install …@vX.Y.Z), else "latest" (a
// build from a checkout has no version go install could fetch).
func bktVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || !strings.HasPrefix(bi.Main.Version, "v") {
		return "latest"
	}
	return bi.Main.Version
}
