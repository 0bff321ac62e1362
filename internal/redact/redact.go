// Package redact hides credentials that ride in URLs (a token in
// https://x-access-token:TOKEN@github.com/...) before bkt prints them:
// doctor's origin line, pull-request and compare links, and errors that
// echo git remote URLs or git's own stderr.
package redact

import (
	"regexp"
	"strings"
)

// userinfo matches "scheme://USERINFO@" up to the last "@" of the
// authority (a raw "@" in a password included), never across "/", space or
// a quote that ends the URL in git's messages.
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)([^\s/?#'"@]*(?:@[^\s/?#'"@]*)*)@`)

// Hidden replaces the user information.
const Hidden = "***"

// URLs returns s with the user information of every URL in it replaced
// by ***. A bare ssh user name (ssh://git@host) is kept: it is not a
// secret, and "git@" tells the reader which account ssh uses.
func URLs(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	return userinfo.ReplaceAllStringFunc(s, func(m string) string {
		sub := userinfo.FindStringSubmatch(m)
		scheme, user := sub[1], sub[2]
		if isSSH(scheme) && user != "" && !strings.ContainsAny(user, ":@") {
			return m
		}
		return scheme + Hidden + "@"
	})
}

func isSSH(scheme string) bool {
	switch strings.ToLower(strings.TrimSuffix(scheme, "://")) {
	case "ssh", "git+ssh", "ssh+git":
		return true
	}
	return false
}
