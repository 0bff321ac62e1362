package forge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/bkt-dev/bkt/internal/fail"
)

// PullRequest is what bkt asks GitHub to open.
type PullRequest struct {
	Title string `json:"title"`
	Head  string `json:"head"` // branch name in the same repository
	Base  string `json:"base"`
	Body  string `json:"body"`
}

// Pull is a pull request as GitHub reports it.
type Pull struct {
	Number int    `json:"number"`
	URL    string `json:"url"` // the web page (html_url)
	State  string `json:"state"`
	Merged bool   `json:"merged"`
	Head   string `json:"head"`
	Base   string `json:"base"`
	Title  string `json:"title"`
}

// wirePull is the subset of GitHub's pull request object bkt reads. The
// list endpoint has no "merged" field, only "merged_at".
type wirePull struct {
	Number   int     `json:"number"`
	HTMLURL  string  `json:"html_url"`
	State    string  `json:"state"`
	Title    string  `json:"title"`
	Merged   bool    `json:"merged"`
	MergedAt *string `json:"merged_at"`
	Head     struct {
		Ref  string `json:"ref"`
		Repo *struct {
			FullName string `json:"full_name"`
		} `json:"repo"` // null when the fork it came from is gone
	} `json:"head"`
	Base struct {
		Ref string `json:"ref"`
	} `json:"base"`
}

func (w wirePull) pull() Pull {
	return Pull{
		Number: w.Number,
		URL:    w.HTMLURL,
		State:  w.State,
		Merged: w.Merged || w.MergedAt != nil,
		Head:   w.Head.Ref,
		Base:   w.Base.Ref,
		Title:  w.Title,
	}
}

func pullsPath(owner, name string) string {
	return "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name) + "/pulls"
}

// CreatePull opens a pull request (POST /repos/{owner}/{repo}/pulls). When
// GitHub answers that one already exists for the branch, that one is
// returned instead, so submitting twice is harmless.
func (c *Client) CreatePull(ctx context.Context, owner, name string, pr PullRequest) (Pull, error) {
	var w wirePull
	err := c.do(ctx, http.MethodPost, pullsPath(owner, name), nil, pr, &w)
	if err == nil {
		return w.pull(), nil
	}
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusUnprocessableEntity && ae.mentions("already exists") {
		pulls, ferr := c.FindPulls(ctx, owner, name, pr.Head)
		if ferr == nil {
			for _, p := range pulls {
				if p.State == "open" && (pr.Base == "" || p.Base == pr.Base) {
					return p, nil
				}
			}
		}
	}
	return Pull{}, c.fail(err, owner, name)
}

// FindPulls lists the pull requests, open or not, whose head is the branch
// of the same repository (GET /repos/{owner}/{repo}/pulls?state=all&head=OWNER:BRANCH).
func (c *Client) FindPulls(ctx context.Context, owner, name, headBranch string) ([]Pull, error) {
	q := url.Values{"state": {"all"}, "head": {owner + ":" + headBranch}, "per_page": {"100"}}
	var ws []wirePull
	if err := c.do(ctx, http.MethodGet, pullsPath(owner, name), q, nil, &ws); err != nil {
		return nil, c.fail(err, owner, name)
	}
	pulls := make([]Pull, len(ws))
	for i, w := range ws {
		pulls[i] = w.pull()
	}
	return pulls, nil
}

// maxPullPages bounds how many pages ListPulls reads: the newest 1,000
// pull requests, so a repository with a long history costs a bounded
// number of requests.
const maxPullPages = 10

// ListPulls lists the pull requests, open or not, whose head is a branch
// of the repository itself (not a fork), newest first: GET
// /repos/{owner}/{repo}/pulls?state=all&per_page=100, following GitHub's
// Link rel="next" for at most maxPullPages pages. complete is false when
// GitHub had more pages than that.
func (c *Client) ListPulls(ctx context.Context, owner, name string) (pulls []Pull, complete bool, err error) {
	t, err := c.Target(ctx)
	if err != nil {
		return nil, false, err
	}
	q := url.Values{"state": {"all"}, "per_page": {"100"}}
	next := t.BaseURL + pullsPath(owner, name) + "?" + q.Encode()
	for range maxPullPages {
		var ws []wirePull
		h, err := c.send(ctx, http.MethodGet, next, nil, &ws)
		if err != nil {
			return nil, false, c.fail(err, owner, name)
		}
		for _, w := range ws {
			if w.Head.Repo != nil && strings.EqualFold(w.Head.Repo.FullName, owner+"/"+name) {
				pulls = append(pulls, w.pull())
			}
		}
		if next = nextPage(h); next == "" {
			return pulls, true, nil
		}
		// The token goes only where the first page went.
		if !strings.HasPrefix(next, t.BaseURL+"/") {
			from, _ := url.Parse(t.BaseURL)
			to, perr := url.Parse(next)
			if perr != nil {
				return nil, false, c.fail(fmt.Errorf("GitHub named a next page that is no URL: %q", next), owner, name)
			}
			return nil, false, c.fail(&RedirectError{From: from, To: to}, owner, name)
		}
	}
	return pulls, false, nil
}

// nextPage returns the rel="next" URL of a Link header (RFC 8288, as
// GitHub writes it: <URL>; rel="next", <URL>; rel="last"), "" when there
// is none.
func nextPage(h http.Header) string {
	for _, v := range h.Values("Link") {
		for _, link := range strings.Split(v, ",") {
			target, params, ok := strings.Cut(strings.TrimSpace(link), ";")
			if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range strings.Split(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(k, "rel") && slices.Contains(strings.Fields(strings.Trim(v, `"`)), "next") {
					return target[1 : len(target)-1]
				}
			}
		}
	}
	return ""
}

// APIError is a non-2xx answer from GitHub, in its JSON error shape.
type APIError struct {
	Status  int
	Message string `json:"message"`
	Errors  []struct {
		Resource string `json:"resource"`
		Field    string `json:"field"`
		Code     string `json:"code"`
		Message  string `json:"message"`
	} `json:"errors"`
	Header http.Header `json:"-"`
}

func (e *APIError) Error() string {
	msg := e.Message
	var details []string
	for _, d := range e.Errors {
		switch {
		case d.Message != "":
			details = append(details, d.Message)
		case d.Field != "":
			details = append(details, d.Field+" "+strings.ReplaceAll(d.Code, "_", " "))
		}
	}
	if len(details) > 0 {
		msg += ": " + strings.Join(details, "; ")
	}
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("%s (HTTP %d)", msg, e.Status)
}

func (e *APIError) mentions(s string) bool {
	if strings.Contains(e.Message, s) {
		return true
	}
	for _, d := range e.Errors {
		if strings.Contains(d.Message, s) {
			return true
		}
	}
	return false
}

// ClosePull closes pull request number without merging it (PATCH
// /repos/{owner}/{repo}/pulls/{number} with state=closed) and returns it
// as GitHub reports it then. Closing one that is already closed changes
// nothing.
func (c *Client) ClosePull(ctx context.Context, owner, name string, number int) (Pull, error) {
	var w wirePull
	body := map[string]string{"state": "closed"}
	if err := c.do(ctx, http.MethodPatch, pullsPath(owner, name)+"/"+strconv.Itoa(number), nil, body, &w); err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return Pull{}, fail.Wrap(fail.Git, err, "GitHub has no pull request #%d in %s/%s, or the token cannot see it", number, owner, name).
				Next("See bkt's branches and their pull requests: bkt pr list")
		}
		return Pull{}, c.fail(err, owner, name)
	}
	return w.pull(), nil
}
