package redact

import (
	"testing"

	"github.com/bkt-dev/bkt/internal/testenv/tabletest"
)

func TestURLs(t *testing.T) {
	tabletest.Strings(t, "URLs", URLs, map[string]string{
		"http://x-access-token:SECRET@127.0.0.1/me/os":           "http://***@127.0.0.1/me/os",
		"https://ghp_abc@github.com/me/os.git":                   "https://***@github.com/me/os.git",
		"https://user:p@ss@github.com/me/os":                     "https://***@github.com/me/os",
		"ssh://git@github.com/me/os":                             "ssh://git@github.com/me/os",
		"ssh://git:pw@github.com/me/os":                          "ssh://***@github.com/me/os",
		"git@github.com:me/os.git":                               "git@github.com:me/os.git",
		"https://github.com/me/os":                               "https://github.com/me/os",
		"/srv/git/os.git":                                        "/srv/git/os.git",
		"you@example.com":                                        "you@example.com",
		"fatal: unable to access 'https://tok:x@h/o/n/': failed": "fatal: unable to access 'https://***@h/o/n/': failed",
		"To https://a:b@h/o\n ! [rejected] and https://c@h2/o2":  "To https://***@h/o\n ! [rejected] and https://***@h2/o2",
		"https://h/o?who=a@b":                                    "https://h/o?who=a@b",
	})
}
