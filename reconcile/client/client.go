// Package client is the typed Go client of supd's HTTP API (SPEC §6).
//
// Every call takes a context and makes exactly one HTTP request: there is no
// retry logic here, the caller owns its retry policy. Failures are *Error
// values for HTTP answers (match them with errors.Is against ErrUnauthorized,
// ErrForbidden, ErrNotFound, ErrConflict, ErrInvalid, ErrLocked, ErrServer,
// …) or wrapped transport errors; Transient says which are worth retrying.
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/supctl/supctl/reconcile/api"
)

// maxAnswerBytes bounds the answers the client reads (the audit log can be large).
const maxAnswerBytes = 256 << 20

// Options configure a Client. All are optional.
type Options struct {
	// Token is the bearer token sent with every /v1/ request, unless
	// ReadToken is set: then only with the requests that change something.
	// Default: none.
	Token string
	// ReadToken, when set, is the bearer token sent with the requests that
	// only read (GET), so that the write token travels only to write
	// (SPEC §4). Default: none (Token is sent with every request).
	ReadToken string
	// CAFile is a PEM file of CA certificates to trust for https, in place
	// of the system roots. Default: the system roots.
	CAFile string
	// HTTPClient is the client to use; CAFile is then ignored. Default: a
	// client of its own with no overall timeout (use the context).
	HTTPClient *http.Client
}

// Client talks to one supd. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	token     string
	readToken string
	hc        *http.Client
}

// New returns a client of the supd at baseURL (e.g. "https://sup01.corp.example.com:8443").
func New(baseURL string, opts Options) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("supd client: base URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("supd client: base URL %q: want http(s)://host[:port]", baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	hc := opts.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if opts.CAFile != "" {
			pem, err := os.ReadFile(opts.CAFile)
			if err != nil {
				return nil, fmt.Errorf("supd client: read CA file: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("supd client: CA file %s holds no PEM certificate", opts.CAFile)
			}
			tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		}
		hc = &http.Client{Transport: tr}
	}
	return &Client{base: u, token: opts.Token, readToken: opts.ReadToken, hc: hc}, nil
}

// URL returns the base URL of the supd this client talks to.
func (c *Client) URL() string { return c.base.String() }

// GetState returns the server's document and its version.
func (c *Client) GetState(ctx context.Context) (api.State, error) {
	var st api.State
	err := c.do(ctx, http.MethodGet, "/v1/state", nil, nil, &st)
	return st, err
}

// Op sends one operation. ifMatch is the version the op was planned on
// (sent as If-Match; pass a negative value to send none); leaseID is the
// live lease's id ("" for none). On success it returns the document after
// the op: for a no-op (the op's effect was already in place) the current
// version, unchanged.
func (c *Client) Op(ctx context.Context, ifMatch int64, leaseID string, op api.Op) (api.State, error) {
	h := http.Header{}
	if ifMatch >= 0 {
		h.Set(api.HeaderIfMatch, `"`+strconv.FormatInt(ifMatch, 10)+`"`)
	}
	if leaseID != "" {
		h.Set(api.HeaderLeaseID, leaseID)
	}
	var st api.State
	err := c.do(ctx, http.MethodPost, "/v1/ops", h, op, &st)
	return st, err
}

// TakeLease takes the server's lease for ttl (rounded up to whole seconds).
// A lease held by someone else is an *Error matching ErrConflict whose Body
// names the Holder and ExpiresAt.
func (c *Client) TakeLease(ctx context.Context, holder string, ttl time.Duration) (api.Lease, error) {
	secs := int((ttl + time.Second - 1) / time.Second)
	var l api.Lease
	err := c.do(ctx, http.MethodPost, "/v1/lease", nil, api.LeaseRequest{Holder: holder, TTLSeconds: secs}, &l)
	return l, err
}

// RenewLease extends the live lease id by the TTL it was taken with. An
// unknown or expired lease matches ErrNotFound.
func (c *Client) RenewLease(ctx context.Context, id string) (api.Lease, error) {
	var l api.Lease
	err := c.do(ctx, http.MethodPut, "/v1/lease/"+url.PathEscape(id), nil, nil, &l)
	return l, err
}

// ReleaseLease releases the live lease id. An unknown or expired lease
// matches ErrNotFound.
func (c *Client) ReleaseLease(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/v1/lease/"+url.PathEscape(id), nil, nil, nil)
}

// Events returns the audit-log events with seq > since (0: all the server
// keeps), reading them page by page (EventsPage) until the last.
func (c *Client) Events(ctx context.Context, since int64) ([]api.Event, error) {
	var all []api.Event
	for {
		page, err := c.EventsPage(ctx, since, api.MaxEventsLimit)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Events...)
		if page.Next == nil {
			return all, nil
		}
		if *page.Next <= since {
			return nil, fmt.Errorf("GET /v1/events: the next page's cursor %d does not move past %d", *page.Next, since)
		}
		since = *page.Next
	}
}

// EventsPage returns one page of the audit log: at most limit events with
// seq > since (limit 0: the server's default page size).
func (c *Client) EventsPage(ctx context.Context, since int64, limit int) (api.EventPage, error) {
	var page api.EventPage
	path := "/v1/events?since=" + strconv.FormatInt(since, 10)
	if limit > 0 {
		path += "&limit=" + strconv.Itoa(limit)
	}
	err := c.do(ctx, http.MethodGet, path, nil, nil, &page)
	return page, err
}

// Healthz checks the server's liveness endpoint.
func (c *Client) Healthz(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/healthz", nil, nil, nil)
}

func (c *Client) do(ctx context.Context, method, path string, h http.Header, in, out any) error {
	what := method + " " + strings.SplitN(path, "?", 2)[0]
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s: encode request: %w", what, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, body)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	token := c.token
	if c.readToken != "" && method == http.MethodGet {
		token = c.readToken
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return fmt.Errorf("%s: read answer: %w", what, err)
	}
	if resp.StatusCode/100 != 2 {
		e := &Error{Method: method, Path: path, StatusCode: resp.StatusCode}
		if json.Unmarshal(data, &e.Body) != nil || e.Body.Error == "" {
			e.Body = api.ErrorBody{Error: strings.TrimSpace(string(data))}
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: decode answer: %w", what, err)
	}
	return nil
}
