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
//   - BKT_GITHUB_API_URL (apiEnv), an explicit setting, is used as is;
//   - else the host of the origin remote: github.com → api.github.com;
//   - another host only when gh is configured for it (ghHosts, from gh's
//     hosts.yml) → https://HOST/api/v3 (GitHub Enterprise Server);
//   - anything else: no request, and an error that says why.
func decide(apiEnv, origin string, ghHosts []string) (Target, error) {
	if apiEnv != "" {
		base := strings.TrimRight(apiEnv, "/")
		return Target{BaseURL: base, Host: ghHostOfAPI(base)}, nil
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
	case host == "github.com" || host == "www.github.com" || host == "ssh.github.com":
		return Target{BaseURL: "https://api.github.com", Host: "github.com"}, nil
	}
	for _, h := range ghHosts {
		if strings.EqualFold(h, host) || strings.EqualFold(h, hostPort) {
			return Target{BaseURL: "https://" + hostPort + "/api/v3", Host: h}, nil
		}
	}
	return Target{}, fail.New(fail.Git, "not sending your GitHub token to %s: origin's host is not github.com and gh is not logged in to it", hostPort).
		Next("If "+host+" is a GitHub Enterprise server, log in to it: gh auth login --hostname "+host,
			"Or name its API yourself: export BKT_GITHUB_API_URL=https://"+hostPort+"/api/v3")
}

// ghHostOfAPI is the host gh knows an API root by: github.com for
// api.github.com, else the API's own host.
func ghHostOfAPI(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Hostname() == "" {
		return "github.com"
	}
	if h := strings.ToLower(u.Hostname()); h != "api.github.com" {
		return h
	}
	return "github.com"
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
