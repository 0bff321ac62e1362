// Package extensions is the adapter for GNOME Shell extensions: the
// extensions.gnome.org (EGO) catalog, installing a downloaded zip into
// $XDG_DATA_HOME/gnome-shell/extensions, and the running Shell's version.
// It needs neither the gnome-extensions CLI nor a running Shell: the
// enabled state lives in gsettings (org.gnome.shell enabled-extensions and
// disabled-extensions), which the extension domain edits.
package extensions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultBaseURL is the public catalog; BKT_EGO_URL overrides it.
const DefaultBaseURL = "https://extensions.gnome.org"

// maxDownload caps a downloaded zip. EGO refuses uploads whose content is
// over 5 MB uncompressed, so anything near this is not an extension.
const maxDownload = 32 << 20

// Client talks to extensions.gnome.org.
type Client struct {
	BaseURL string
	HTTP    *http.Client
}

// DefaultTimeout bounds one request to the site, download included;
// BKT_EGO_TIMEOUT (a Go duration such as "2m") overrides it.
const DefaultTimeout = 60 * time.Second

// NewClient returns a client for $BKT_EGO_URL, else the public site, with
// $BKT_EGO_TIMEOUT as its timeout when that is a positive duration.
func NewClient() *Client {
	base := os.Getenv("BKT_EGO_URL")
	if base == "" {
		base = DefaultBaseURL
	}
	timeout := DefaultTimeout
	if d, err := time.ParseDuration(os.Getenv("BKT_EGO_TIMEOUT")); err == nil && d > 0 {
		timeout = d
	}
	return &Client{BaseURL: base, HTTP: &http.Client{Timeout: timeout}}
}

// Info is EGO's description of an extension, as /extension-info/ returns
// it. Version, VersionTag and DownloadURL describe the release EGO picked
// for the requested Shell version; they are empty when it has none.
type Info struct {
	UUID        string `json:"uuid"`
	Name        string `json:"name"`
	Description string `json:"description"`
	PK          int    `json:"pk"`
	Link        string `json:"link,omitempty"`
	Version     int    `json:"version,omitempty"`
	VersionTag  int    `json:"version_tag,omitempty"`
	// DownloadURL is relative to the site:
	// /download-extension/UUID.shell-extension.zip?version_tag=N
	DownloadURL string `json:"download_url,omitempty"`
	// ShellVersionMap maps a Shell version ("46", "3.38") to the newest
	// release that supports it.
	ShellVersionMap map[string]Release `json:"shell_version_map"`
}

// Release is one entry of the shell version map: pk is the version tag.
type Release struct {
	PK      int `json:"pk"`
	Version int `json:"version"`
}

// Supports reports whether some release declares support for the Shell
// version major ("47" matches "47" and "47.1"; "3.38" matches "3.38.4").
func (i Info) Supports(major string) bool {
	for v := range i.ShellVersionMap {
		if v == major || strings.HasPrefix(v, major+".") {
			return true
		}
	}
	return false
}

// ShellVersions lists the Shell versions some release supports, oldest first.
func (i Info) ShellVersions() []string {
	vs := make([]string, 0, len(i.ShellVersionMap))
	for v := range i.ShellVersionMap {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, compareVersions)
	return vs
}

// compareVersions orders dotted versions numerically ("3.38" < "40" < "47").
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, errX := strconv.Atoi(as[i])
		y, errY := strconv.Atoi(bs[i])
		switch {
		case errX == nil && errY == nil && x != y:
			return x - y
		case (errX != nil || errY != nil) && as[i] != bs[i]:
			return strings.Compare(as[i], bs[i])
		}
	}
	return len(as) - len(bs)
}

// NotFoundError is EGO answering 404: no such extension (or none visible).
type NotFoundError struct{ UUID string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("extensions.gnome.org has no extension %q", e.UUID)
}

// SiteError is a failure to talk to the site: no network, a timeout, a
// server error or an answer that is not what EGO sends (an oversized
// download included). Retrying later or skipping the check (--force) are
// the ways out.
type SiteError struct {
	URL    string
	Status int // the HTTP status, 0 when no answer came
	Err    error
}

func (e *SiteError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("GET %s: HTTP %d", e.URL, e.Status)
	}
	return fmt.Sprintf("GET %s: %v", e.URL, e.Err)
}

func (e *SiteError) Unwrap() error { return e.Err }

// Network reports that the remote side, not this machine, is the problem:
// the pipeline and fail.Query turn it into exit 7 rather than 4.
func (e *SiteError) Network() bool { return true }

// IsNotFound reports whether err says the extension does not exist.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// Info asks EGO about uuid, for the Shell version shellVersion (a major
// version like "47"; empty asks without one and gets no release).
func (c *Client) Info(ctx context.Context, uuid, shellVersion string) (Info, error) {
	q := url.Values{"uuid": {uuid}}
	if shellVersion != "" {
		q.Set("shell_version", shellVersion)
	}
	var info Info
	err := c.getJSON(ctx, "/extension-info/?"+q.Encode(), &info)
	if isStatus(err, http.StatusNotFound) {
		return Info{}, &NotFoundError{UUID: uuid}
	}
	if err != nil {
		return Info{}, err
	}
	if info.UUID == "" {
		return Info{}, &SiteError{URL: c.url("/extension-info/"), Err: errors.New("the answer names no extension")}
	}
	return info, nil
}

// Search returns the extensions EGO finds for term, most relevant first
// (only the first page: this feeds "Did you mean", not a browser).
func (c *Client) Search(ctx context.Context, term string) ([]Info, error) {
	var page struct {
		Extensions []Info `json:"extensions"`
	}
	q := url.Values{"search": {term}}
	if err := c.getJSON(ctx, "/extension-query/?"+q.Encode(), &page); err != nil {
		return nil, err
	}
	return page.Extensions, nil
}

// Download fetches the zip of the release info describes. EGO answers the
// download URL with a redirect to the file, which the client follows.
func (c *Client) Download(ctx context.Context, info Info) ([]byte, error) {
	if info.DownloadURL == "" {
		return nil, fmt.Errorf("extensions.gnome.org offers no release of %s for this GNOME Shell", info.UUID)
	}
	resp, u, err := c.get(ctx, info.DownloadURL)
	if isStatus(err, http.StatusNotFound) {
		return nil, &NotFoundError{UUID: info.UUID}
	}
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	tooBig := &SiteError{URL: u, Err: fmt.Errorf("the download is over %d MiB, the limit for an extension zip (extensions.gnome.org accepts only extensions under 5 MB)", maxDownload>>20)}
	if resp.ContentLength > maxDownload {
		return nil, tooBig
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDownload+1))
	if err != nil {
		return nil, &SiteError{URL: u, Err: c.explain(err)}
	}
	if len(data) > maxDownload {
		return nil, tooBig
	}
	return data, nil
}

// DownloadURLFor is the site's download link for the release of uuid that
// suits the Shell version: EGO picks it from shell_version as Info does.
func (c *Client) DownloadURLFor(uuid, shellVersion string) string {
	return c.url("/download-extension/" + url.PathEscape(uuid) + ".shell-extension.zip?" + url.Values{"shell_version": {shellVersion}}.Encode())
}

func (c *Client) url(ref string) string {
	base, err := url.Parse(strings.TrimRight(c.BaseURL, "/") + "/")
	if err != nil {
		return c.BaseURL + ref
	}
	r, err := url.Parse(ref)
	if err != nil {
		return c.BaseURL + ref
	}
	return base.ResolveReference(r).String()
}

// get issues a GET and returns the response of a 2xx answer.
func (c *Client) get(ctx context.Context, ref string) (*http.Response, string, error) {
	u := c.url(ref)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, u, &SiteError{URL: u, Err: err}
	}
	req.Header.Set("User-Agent", "bkt")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, u, &SiteError{URL: u, Err: c.explain(err)}
	}
	if resp.StatusCode/100 != 2 {
		resp.Body.Close()
		return nil, u, &SiteError{URL: u, Status: resp.StatusCode}
	}
	return resp, u, nil
}

func (c *Client) getJSON(ctx context.Context, ref string, v any) error {
	resp, u, err := c.get(ctx, ref)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(v); err != nil {
		return &SiteError{URL: u, Err: fmt.Errorf("not the JSON extensions.gnome.org sends: %w", err)}
	}
	return nil
}

// explain says "no answer within 1m0s" for a timeout, which Go reports
// as a "context deadline exceeded" riddle.
func (c *Client) explain(err error) error {
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || c.HTTP == nil || c.HTTP.Timeout == 0 {
		return err
	}
	return fmt.Errorf("no complete answer within %s (%w)", c.HTTP.Timeout, err)
}

func isStatus(err error, code int) bool {
	var se *SiteError
	return errors.As(err, &se) && se.Status == code
}
