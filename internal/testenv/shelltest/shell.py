# A fake GNOME Shell for tests: owns org.gnome.Shell.Extensions on the
# session bus and appends "METHOD UUID" to the log file (argv[1]) for each
# EnableExtension / DisableExtension call. It answers true, except for a
# UUID starting with "broken", which gets a D-Bus error. It prints "ready"
# once it owns the name.
import sys

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

IFACE = "org.gnome.Shell.Extensions"


class Extensions(dbus.service.Object):
    def __init__(self, bus, log):
        super().__init__(bus, "/org/gnome/Shell/Extensions")
        self.log = log

    def record(self, method, uuid):
        with open(self.log, "a") as f:
            f.write(method + " " + uuid + "\n")
        if uuid.startswith("broken"):
            raise dbus.exceptions.DBusException("broken on purpose", name="org.gnome.Shell.Extensions.Error.Failed")
        return True

    @dbus.service.method(IFACE, in_signature="s", out_signature="b")
    def EnableExtension(self, uuid):
        return self.record("EnableExtension", uuid)

    @dbus.service.method(IFACE, in_signature="s", out_signature="b")
    def DisableExtension(self, uuid):
        return self.record("DisableExtension", uuid)


dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
name = dbus.service.BusName(IFACE, bus, do_not_queue=True)
obj = Extensions(bus, sys.argv[1])
print("ready", flush=True)
GLib.MainLoop().run()
