package forge

import (
	"net/http"
	"os"
	"time"

	"github.com/bkt-dev/bkt/internal/run"
)

// NewPublic returns a client for reading public GitHub repositories that
// are not the user's checkout (the upstream pins): their API is
// api.github.com whatever origin is, or BKT_GITHUB_API_URL when the user
// set it. The token is the one for that API (TokenVars, gh auth token);
// repository content never names where it goes. hc nil means a client with
// a 30-second timeout.
func NewPublic(r run.Runner, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	c := &Client{Runner: r, HTTP: hc}
	c.targetOnce.Do(func() { c.target, c.targetErr = publicTarget(os.Getenv("BKT_GITHUB_API_URL")) })
	return c
}

// publicTarget is the API of NewPublic: the user's explicit setting as
// given (nothing to match it against), else github.com's.
func publicTarget(apiEnv string) (Target, error) {
	if apiEnv != "" {
		return explicitAPI(apiEnv, "")
	}
	return Target{BaseURL: "https://api.github.com", Host: "github.com"}, nil
}

// RateLimit reports whether an answer with status and header is GitHub's
// rate limit (a 403 or 429 with X-RateLimit-Remaining: 0 or Retry-After)
// and, if so, when it ends, in words.
func RateLimit(status int, h http.Header, now time.Time) (reset string, limited bool) {
	if (status != http.StatusForbidden && status != http.StatusTooManyRequests) || !rateLimited(h) {
		return "", false
	}
	return resetText(h, now), true
}
