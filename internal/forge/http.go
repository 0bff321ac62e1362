package forge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/redact"
)

// ErrNoToken is wrapped by the error returned when no token was found.
var ErrNoToken = errors.New("no GitHub token")

// maxBody bounds how much of a response bkt reads.
const maxBody = 8 << 20

// do sends one request and decodes a 2xx JSON answer into out. Other
// answers come back as *APIError; transport failures as they are.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, in, out any) error {
	t, err := c.Target(ctx)
	if err != nil {
		return err
	}
	u := t.BaseURL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	_, err = c.send(ctx, method, u, in, out)
	return err
}

// send is do for a full URL below the API base (a next page GitHub
// named); it returns the answer's header.
func (c *Client) send(ctx context.Context, method, u string, in, out any) (http.Header, error) {
	token, _ := c.Token(ctx)
	if token == "" {
		return nil, ErrNoToken
	}
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("encoding request: %w", err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("User-Agent", "bkt")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := http.Client{}
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	hc.CheckRedirect = sameOrigin
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("reading the answer of %s %s: %w", method, req.URL.Path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ae := &APIError{Status: resp.StatusCode, Header: resp.Header}
		_ = json.Unmarshal(data, ae) // a non-JSON body still yields the status
		return nil, ae
	}
	if out == nil {
		return resp.Header, nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return nil, fmt.Errorf("decoding the answer of %s %s: %w", method, req.URL.Path, err)
	}
	return resp.Header, nil
}

// RedirectError is a redirect bkt refused to follow: the token stays with
// the API it was meant for.
type RedirectError struct{ From, To *url.URL }

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s redirected to another host (%s)", e.From.Redacted(), e.To.Redacted())
}

// sameOrigin follows a redirect only to the same scheme, host and port as
// the first request. net/http drops Authorization for another host but
// keeps it for a subdomain, another port and an https→http downgrade.
func sameOrigin(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if !strings.EqualFold(req.URL.Scheme, first.Scheme) || !strings.EqualFold(req.URL.Hostname(), first.Hostname()) || portOf(req.URL) != portOf(first) {
		return &RedirectError{From: first, To: req.URL}
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

// fail turns an error of do into a user-facing *fail.Error whose headline
// says what went wrong (callers add what they were doing).
func (c *Client) fail(err error, owner, name string) error {
	var fe *fail.Error
	if errors.As(err, &fe) {
		return err // no request was made (Target), the error says why
	}
	vars := TokenVars(c.target)
	login := "gh auth login"
	if c.target.Host != "" && c.target.Host != "github.com" {
		login += " --hostname " + c.target.Host
	}
	if errors.Is(err, ErrNoToken) {
		return (&fail.Error{
			Code:    fail.Git,
			Message: fmt.Sprintf("no GitHub token found for %s (%s unset and gh auth token gave none)", c.target.Host, joinVars(vars)),
			Err:     err,
		}).Next(
			"Log in with the GitHub CLI: "+login,
			"Or export a token with pull-request access: export "+vars[0]+"=...",
		)
	}
	var re *RedirectError
	if errors.As(err, &re) {
		return fail.Wrap(fail.Network, err, "not following GitHub's redirect with your token: %v", re).
			Next("Check BKT_GITHUB_API_URL and origin: the API should answer at " + redact.URLs(c.target.BaseURL))
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		var ue *url.Error
		if errors.As(err, &ue) {
			return fail.Wrap(fail.Network, err, "the GitHub API at %s is unreachable: %v", c.target.BaseURL, ue.Err).
				Next("Check your network connection, then retry")
		}
		return fail.Wrap(fail.Network, err, "GitHub API request failed: %v", err)
	}
	_, source := c.Token(context.Background())
	switch {
	case (ae.Status == http.StatusForbidden || ae.Status == http.StatusTooManyRequests) && rateLimited(ae.Header):
		return fail.Wrap(fail.Network, err, "GitHub API rate limit exceeded; %s", resetText(ae.Header, time.Now())).
			Next("Wait until the limit resets, then retry")
	case ae.Status == http.StatusUnauthorized:
		return fail.Wrap(fail.Git, err, "GitHub rejected the token from %s (%s)", source, ae.Message).
			Next(
				"Log in again: "+login,
				"Or export a valid token: export "+vars[0]+"=...",
			)
	case ae.Status == http.StatusForbidden:
		return fail.Wrap(fail.Git, err, "GitHub refused access to the token from %s (%s)", source, ae.Message).
			Next(
				"Give the token the repo scope: gh auth refresh -s repo",
				"Or export a token with pull-request write access: export "+vars[0]+"=...",
			)
	case ae.Status == http.StatusNotFound:
		return fail.Wrap(fail.Git, err, "GitHub has no repository %s/%s, or the token from %s cannot see it", owner, name, source).
			Next(
				"Check owner and name in repo.json",
				"Check which account the token belongs to: gh auth status",
			)
	case ae.Status >= 500:
		return fail.Wrap(fail.Network, err, "GitHub failed to answer: %v", ae).
			Next("Retry in a moment; GitHub status: https://www.githubstatus.com")
	default:
		return fail.Wrap(fail.Git, err, "GitHub refused the request: %v", ae)
	}
}

// joinVars lists variable names as "A and B are" / "A, B, C and D are".
func joinVars(vars []string) string {
	if len(vars) == 1 {
		return vars[0] + " is"
	}
	return strings.Join(vars[:len(vars)-1], ", ") + " and " + vars[len(vars)-1] + " are"
}

// rateLimited reports whether a 403/429 is a rate limit rather than a
// permission problem: the primary limit (remaining 0) or a secondary limit
// (Retry-After).
func rateLimited(h http.Header) bool {
	return h.Get("X-RateLimit-Remaining") == "0" || h.Get("Retry-After") != ""
}

// resetText says when a rate limit ends, from X-RateLimit-Reset (Unix
// seconds) or Retry-After (seconds).
func resetText(h http.Header, now time.Time) string {
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil {
		return fmt.Sprintf("retry in %d seconds", s)
	}
	sec, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	if err != nil {
		return "it resets within the hour"
	}
	at := time.Unix(sec, 0)
	wait := at.Sub(now).Round(time.Minute)
	if wait < time.Minute {
		return "it resets at " + at.Format("15:04:05") + " (in less than a minute)"
	}
	return fmt.Sprintf("it resets at %s (in %d min)", at.Format("15:04"), int(wait.Minutes()))
}
