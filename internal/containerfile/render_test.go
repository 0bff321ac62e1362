package containerfile

import (
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/manifest"
)

func lines(s ...string) string { return strings.Join(s, "\n") }

func TestInstallLines(t *testing.T) {
	for _, tc := range []struct {
		name             string
		packages, groups []string
		want             string
	}{
		{name: "empty"},
		{
			name:     "packages sorted case-insensitively",
			packages: []string{"vim-enhanced", "Zsh", "htop", "a-b", "A-b"},
			want: lines(
				`RUN dnf install -y \`,
				`        A-b \`,
				`        a-b \`,
				`        htop \`,
				`        vim-enhanced \`,
				`        Zsh \`,
				`    && dnf clean all`),
		},
		{
			name:     "packages and groups",
			packages: []string{"htop"},
			groups:   []string{"multimedia", "development-tools"},
			want: lines(
				`RUN dnf install -y \`,
				`        htop \`,
				`    && dnf group install -y \`,
				`        development-tools \`,
				`        multimedia \`,
				`    && dnf clean all`),
		},
		{
			name:   "groups only",
			groups: []string{"development-tools"},
			want: lines(
				`RUN dnf group install -y \`,
				`        development-tools \`,
				`    && dnf clean all`),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]string(nil), tc.packages...)
			if got := strings.Join(installLines(tc.packages, tc.groups), "\n"); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			if strings.Join(in, ",") != strings.Join(tc.packages, ",") {
				t.Error("installLines reordered the caller's slice")
			}
		})
	}
}

func TestRemoveLines(t *testing.T) {
	if got := removeLines(nil); got != nil {
		t.Errorf("no excluded packages gave %q", got)
	}
	want := lines(
		`RUN dnf remove -y \`,
		`        firefox \`,
		`        firefox-langpacks \`,
		`    && dnf clean all`)
	if got := strings.Join(removeLines([]string{"firefox-langpacks", "firefox"}), "\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestHostCoprLines(t *testing.T) {
	no, yes := false, true
	got := strings.Join(hostCoprLines([]manifest.Copr{
		{Name: "ublue-os/staging"},
		{Name: "atim/starship", Enabled: &yes},
		{Name: "old/gone", Enabled: &no},
		{Name: "@kdesig/kde", GPGCheck: &no},
	}), "\n")
	want := lines(
		`RUN dnf -y copr enable @kdesig/kde \`,
		`    && dnf config-manager setopt copr:copr.fedorainfracloud.org:group_kdesig:kde.gpgcheck=0`,
		`RUN dnf -y copr enable atim/starship`,
		`RUN dnf -y copr enable ublue-os/staging`)
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if hostCoprLines(nil) != nil {
		t.Error("no COPRs should render nothing")
	}
}

func TestToolboxCoprLines(t *testing.T) {
	want := lines(
		`RUN dnf -y copr enable atim/starship`,
		`RUN dnf -y copr enable Zeno/tools`)
	if got := strings.Join(toolboxCoprLines([]string{"Zeno/tools", "atim/starship"}), "\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// Generated lines never carry heredocs or base64 blobs (SPEC §6), and
// every continued line ends in exactly " \".
func TestGeneratedLinesArePlainInstructions(t *testing.T) {
	all := append(installLines([]string{"a", "b"}, []string{"g"}), removeLines([]string{"c"})...)
	all = append(all, hostCoprLines([]manifest.Copr{{Name: "o/p"}})...)
	for _, l := range all {
		if strings.Contains(l, "<<") || strings.Contains(l, "base64") {
			t.Errorf("line %q uses a heredoc or base64", l)
		}
		if strings.HasSuffix(l, `\`) && !strings.HasSuffix(l, ` \`) {
			t.Errorf("line %q: continuation without a space before it", l)
		}
	}
}
