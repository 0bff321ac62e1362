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
	"time"

	"github.com/bkt-dev/bkt/internal/fail"
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
	token, _ := c.Token(ctx)
	if token == "" {
		return ErrNoToken
	}
	u := t.BaseURL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encoding request: %w", err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("User-Agent", "bkt")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("reading the answer of %s %s: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ae := &APIError{Status: resp.StatusCode, Header: resp.Header}
		_ = json.Unmarshal(data, ae) // a non-JSON body still yields the status
		return ae
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decoding the answer of %s %s: %w", method, path, err)
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
	if errors.Is(err, ErrNoToken) {
		return (&fail.Error{
			Code:    fail.Git,
			Message: "no GitHub token found (GH_TOKEN and GITHUB_TOKEN are unset and gh auth token gave none)",
			Err:     err,
		}).Next(
			"Log in with the GitHub CLI: gh auth login",
			"Or export a token with pull-request access: export GH_TOKEN=...",
		)
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
				"Log in again: gh auth login",
				"Or export a valid token: export GH_TOKEN=...",
			)
	case ae.Status == http.StatusForbidden:
		return fail.Wrap(fail.Git, err, "GitHub refused access to the token from %s (%s)", source, ae.Message).
			Next(
				"Give the token the repo scope: gh auth refresh -s repo",
				"Or export a token with pull-request write access: export GH_TOKEN=...",
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
