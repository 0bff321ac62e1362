package extensions

import (
	"context"
	"os"
	"strings"

	"github.com/bkt-dev/bkt/internal/run"
)

// The running Shell's extensions API on the session bus.
const (
	ShellBusName = "org.gnome.Shell.Extensions"
	shellPath    = "/org/gnome/Shell/Extensions"
)

// OnBusCmd asks the session bus whether a Shell owns its extensions
// name. It is a query: dry-runs run it, so their plans say whether the
// Shell would be told.
func OnBusCmd() run.Cmd {
	return run.Cmd{
		Name: "gdbus",
		Args: []string{"call", "--session", "--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus",
			"--method", "org.freedesktop.DBus.NameHasOwner", ShellBusName},
		Where: run.Host,
	}
}

// ShellOnBus reports whether a GNOME Shell is on the session bus. No
// session bus (DBUS_SESSION_BUS_ADDRESS unset), no gdbus, or a failed
// query all mean no: the keys are what counts, telling the Shell is extra.
func ShellOnBus(ctx context.Context, r run.Runner) bool {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return false
	}
	res, err := r.Run(ctx, OnBusCmd())
	return err == nil && strings.TrimSpace(string(res.Stdout)) == "(true,)"
}

// EnableCmd asks the running Shell to enable uuid. The Shell answers
// (false,) for an extension it has not loaded, such as one unpacked
// since the login.
func EnableCmd(uuid string) run.Cmd { return shellCall("EnableExtension", uuid) }

// DisableCmd asks the running Shell to disable uuid.
func DisableCmd(uuid string) run.Cmd { return shellCall("DisableExtension", uuid) }

func shellCall(method, uuid string) run.Cmd {
	return run.Cmd{
		Name: "gdbus",
		Args: []string{"call", "--session", "--dest", ShellBusName, "--object-path", shellPath,
			"--method", ShellBusName + "." + method, uuid},
		Mutates: true,
		Where:   run.Host,
	}
}
