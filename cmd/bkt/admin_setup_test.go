package main

import (
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bkt-dev/bkt/internal/testenv/admintest"
)

// cmdAdminSetup installs the privileged side of a test machine:
//
//	admin-setup [UNIT...]
//
// bkt-admin built with the paths of $WORK/admin (BKTTEST_ADMIN_PATH points
// bkt at it), the bootc and systemctl simulators in $ADMIN_BIN, which
// record every call as a line of $ADMIN_BIN/calls.txt, bootc's status
// starting from internal/system/bootc/testdata/status-booted-rollback.json,
// and an allow-list holding UNITs. There is no journal or syslog socket,
// so bkt-admin logs to $WORK/admin/bkt-admin.log. Scripts run as root,
// which bkt-admin lets through like a member of its group.
func cmdAdminSetup(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: admin-setup [UNIT...]")
	}
	m, err := admintest.New(filepath.Join(ts.Getenv("WORK"), "admin"), admintest.Options{Allowed: args})
	ts.Check(err)
	ts.Setenv(adminPathEnv, m.Admin)
	ts.Setenv("ADMIN_BIN", m.Bin)
}
