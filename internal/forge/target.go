package forge

import (
	"bufio"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/redact"
)

// decide picks the API the user's token may be sent to, from what the user
// controls only, never from repo.json (anyone's pull request can change
// that file):
//
//   - BKT_GITHUB_API_URL (apiEnv), an explicit setting, is used only when
//     its host is origin's host (api.github.com counts as github.com; host
//     and port compared, an absent port meaning the scheme's default; an
//     ssh origin's port says nothing about the API, so only its host
//     counts). When origin has no host (a local path or file:// URL, such
//     as a bare repository on this machine) there is nothing to match and
//     the setting is used as is (Target.Local);
//   - else the host of the origin remote: github.com → api.github.com;
//   - another host only when gh is configured for it (ghHosts, from gh's
//     hosts.yml) → https://HOST/api/v3 (GitHub Enterprise Server), or
//     https://api.HOST for a *.ghe.com tenant;
//   - anything else: no request, and an error that says why.
func decide(apiEnv, origin string, ghHosts []string) (Target, error) {
	if apiEnv != "" {
		return explicitAPI(apiEnv, origin)
	}
	host, hostPort, ok := splitHost(origin)
	switch {
	case strings.TrimSpace(origin) == "":
		return Target{}, fail.New(fail.Git, "not asking GitHub: the repository has no origin remote").
			Next("Add your GitHub repository as origin: git remote add origin https://github.com/OWNER/NAME")
	case !ok:
		return Target{}, fail.New(fail.Git, "not asking GitHub: origin (%s) is not a GitHub remote", redact.URLs(origin)).
			Next("Point origin at your GitHub repository: git remote set-url origin https://github.com/OWNER/NAME",
				"Or name the GitHub API yourself: export BKT_GITHUB_API_URL=https://HOST/api/v3")
	case isGitHubCom(host):
		return Target{BaseURL: "https://api.github.com", Host: "github.com"}, nil
	}
	for _, h := range ghHosts {
		if strings.EqualFold(h, host) || strings.EqualFold(h, hostPort) {
			return Target{BaseURL: apiRoot(host, hostPort), Host: h}, nil
		}
	}
	return Target{}, fail.New(fail.Git, "not sending your GitHub token to %s: origin's host is not github.com and gh is not logged in to it", hostPort).
		Next("If "+host+" is a GitHub Enterprise server, log in to it: gh auth login --hostname "+host,
			"Or name its API yourself: export BKT_GITHUB_API_URL="+apiRoot(host, hostPort))
}

// isGitHubCom reports whether a web or ssh host is github.com itself.
func isGitHubCom(host string) bool {
	return host == "github.com" || host == "www.github.com" || host == "ssh.github.com"
}

// isTenant reports whether host is a GitHub Enterprise Cloud tenant
// (NAME.ghe.com), whose tokens gh reads from GH_TOKEN like github.com's.
func isTenant(host string) bool {
	return strings.HasSuffix(host, ".ghe.com")
}

// apiRoot is the REST API of a GitHub host other than github.com.
func apiRoot(host, hostPort string) string {
	if isTenant(host) {
		return "https://api." + hostPort
	}
	return "https://" + hostPort + "/api/v3"
}

// explicitAPI checks BKT_GITHUB_API_URL against origin's host (see decide).
func explicitAPI(apiEnv, origin string) (Target, error) {
	base := strings.TrimRight(strings.TrimSpace(apiEnv), "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return Target{}, fail.New(fail.Git, "not asking GitHub: BKT_GITHUB_API_URL (%s) is not an http(s) URL", redact.URLs(apiEnv)).
			Next("Set it to your GitHub API, e.g. export BKT_GITHUB_API_URL=https://HOST/api/v3",
				"Or unset it to use origin's host: unset BKT_GITHUB_API_URL")
	}
	apiHost := ghHostOfAPI(base)
	t := Target{BaseURL: base, Host: apiHost}
	oHost, oPort, ok := originEndpoint(origin)
	if !ok {
		t.Local = true // nothing to match: the user's setting is all there is
		return t, nil
	}
	aPort := portOf(u)
	if oHost == apiHost && (oPort == "" || oPort == aPort) {
		return t, nil
	}
	where := u.Host
	want := "https://api.github.com"
	if oHost != "github.com" {
		want = apiRoot(oHost, hostWithPort(oHost, oPort))
	}
	return Target{}, fail.New(fail.Git, "not sending your GitHub token to %s (BKT_GITHUB_API_URL): it is not origin's host %s", where, hostWithPort(oHost, oPort)).
		Next("Point BKT_GITHUB_API_URL at origin's GitHub API: export BKT_GITHUB_API_URL="+want,
			"Or unset it to use origin's host: unset BKT_GITHUB_API_URL")
}

// originEndpoint returns origin's host as gh names it (github.com for its
// aliases) and, for an http(s) origin, its port (the scheme's default when
// absent); "" for ssh and scp-like origins, whose port is not the API's.
func originEndpoint(origin string) (host, port string, ok bool) {
	host, _, ok = splitHost(origin)
	if !ok {
		return "", "", false
	}
	if isGitHubCom(host) {
		host = "github.com"
	}
	if u, err := url.Parse(strings.TrimSpace(origin)); err == nil && (strings.EqualFold(u.Scheme, "https") || strings.EqualFold(u.Scheme, "http")) {
		port = portOf(u)
	}
	return host, port, true
}

// portOf is an http(s) URL's port, the scheme's default when absent.
func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "http") {
		return "80"
	}
	return "443"
}

// hostWithPort names host:port, leaving out https' default port.
func hostWithPort(host, port string) string {
	if port == "" || port == "443" {
		return host
	}
	return host + ":" + port
}

// ghHostOfAPI is the host gh knows an API root by: github.com for
// api.github.com, NAME.ghe.com for api.NAME.ghe.com, else the API's own
// host.
func ghHostOfAPI(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Hostname() == "" {
		return "github.com"
	}
	h := strings.ToLower(u.Hostname())
	if h == "api.github.com" {
		return "github.com"
	}
	if t, ok := strings.CutPrefix(h, "api."); ok && isTenant(t) {
		return t
	}
	return h
}

// ghHosts lists the hosts in gh's hosts.yml ($GH_CONFIG_DIR, else
// $XDG_CONFIG_HOME/gh, else ~/.config/gh): the keys at the top level of
// its mapping. gh writes a plain shape (host, then indented settings), so
// a line scan is enough and needs no YAML library.
func ghHosts() []string {
	dir := os.Getenv("GH_CONFIG_DIR")
	if dir == "" {
		if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
			dir = filepath.Join(x, "gh")
		} else if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".config", "gh")
		}
	}
	if dir == "" {
		return nil
	}
	f, err := os.Open(filepath.Join(dir, "hosts.yml"))
	if err != nil {
		return nil
	}
	defer f.Close()
	return parseHosts(bufio.NewScanner(f))
}

func parseHosts(sc *bufio.Scanner) []string {
	var hosts []string
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == ' ' || line[0] == '\t' || line[0] == '#' || line == "---" {
			continue
		}
		// "host:" or "host: {}"; a host may carry a port (host:8443:).
		line = strings.TrimRight(line, " \t")
		key, _, ok := strings.Cut(line, ": ")
		if !ok {
			key, ok = strings.CutSuffix(line, ":")
		}
		if key = strings.Trim(strings.TrimSpace(key), `"'`); ok && key != "" {
			hosts = append(hosts, strings.ToLower(key))
		}
	}
	return hosts
}
