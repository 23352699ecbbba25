package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"portalstudio/backend/portal"
)

// Client speaks to a portal server's admin API.
//
// It keeps the admin token to the server it was made for: it follows no
// redirect (a 3xx answer is an error naming where the server pointed),
// whatever HTTP client it is given, and it speaks plain http only to this
// machine (127.0.0.0/8, ::1, localhost) unless Insecure.
type Client struct {
	// URL is the server's base URL: http://127.0.0.1:8080.
	URL string
	// Token is the server's admin token.
	Token string
	// HTTP sends the requests; default a client like http.DefaultClient.
	// Its CheckRedirect is replaced by one that refuses every redirect.
	// Requests are bounded by their context.
	HTTP *http.Client
	// Insecure allows plain http to a server on another machine: the
	// admin token then crosses the network unencrypted.
	Insecure bool
}

// ClientOptions tune NewClientWith.
type ClientOptions struct {
	// Insecure allows plain http:// to a host that is not this machine.
	Insecure bool
	// HTTP sends the requests (its redirects are refused all the same).
	HTTP *http.Client
}

// TokenEnv names the environment variable the command line reads the
// admin token from when neither --token nor --token-file is given.
const TokenEnv = "PORTALSTUDIO_ADMIN_TOKEN"

// NewClient returns a client for the server at serverURL, checking the
// URL: plain http is refused unless the server is on this machine.
func NewClient(serverURL, token string) (*Client, error) {
	return NewClientWith(serverURL, token, ClientOptions{})
}

// NewClientWith is NewClient with options: opt.Insecure allows plain http
// to another machine. It returns EINVALID for a URL that is not an http or
// https one, for plain http to another machine without opt.Insecure, and
// for an empty token.
func NewClientWith(serverURL, token string, opt ClientOptions) (*Client, error) {
	u, err := parseServer(serverURL)
	if err != nil {
		return nil, err
	}
	if err := checkTransport(u, opt.Insecure); err != nil {
		return nil, err
	}
	if strings.TrimSpace(token) == "" {
		return nil, portal.Errorf(portal.EINVALID, "no admin token; give it with --token-file or %s (the server wrote it to <data folder>/admin-token)", TokenEnv)
	}
	return &Client{URL: strings.TrimSuffix(u.String(), "/"), Token: strings.TrimSpace(token), HTTP: opt.HTTP, Insecure: opt.Insecure}, nil
}

// parseServer parses a server's base URL: http or https, with a host.
func parseServer(serverURL string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(serverURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return nil, portal.Errorf(portal.EINVALID, "%q is not a server URL; give one like http://127.0.0.1:8080", serverURL)
	}
	return u, nil
}

// checkTransport refuses plain http to a host that is not this machine,
// unless insecure.
func checkTransport(u *url.URL, insecure bool) error {
	if u.Scheme != "http" || insecure || IsLoopback(u.Hostname()) {
		return nil
	}
	return portal.Errorf(portal.EINVALID, "%s is plain http to another machine: the admin token would cross the network unencrypted; use https://, or connect from the command line with --insecure if you accept that",
		strings.TrimSuffix(u.String(), "/"))
}

// IsLoopback reports whether host (without port or brackets) is this
// machine: localhost, 127.0.0.0/8 or ::1. A name other than localhost is
// not trusted to resolve to this machine.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NormalizeServer returns the form of a server URL two spellings of the
// same server share: the scheme, the lowercase host, the port (80 and 443
// made explicit) and the path without a trailing slash. It returns
// EINVALID for a URL that is not an http or https one.
func NormalizeServer(serverURL string) (string, error) {
	u, err := parseServer(serverURL)
	if err != nil {
		return "", err
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return u.Scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port) + strings.TrimRight(u.EscapedPath(), "/"), nil
}

// SameServer reports whether two server URLs name the same server (see
// NormalizeServer); a URL that does not parse names no server.
func SameServer(a, b string) bool {
	na, err := NormalizeServer(a)
	if err != nil {
		return false
	}
	nb, err := NormalizeServer(b)
	return err == nil && na == nb
}

// httpClient returns the client requests go through: the caller's, or a
// default one, always refusing redirects so the token goes nowhere else.
func (c *Client) httpClient() *http.Client {
	var hc http.Client
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

// request sends one request and returns the response when it is a
// success; a server's JSON error becomes a *portal.Error (or a
// *portal.StaleError for 412 with the current document).
func (c *Client) request(ctx context.Context, method, path string, body []byte, header map[string]string) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	base, err := parseServer(c.URL)
	if err != nil {
		return nil, err
	}
	if err := checkTransport(base, c.Insecure); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL+path, rd)
	if err != nil {
		return nil, fmt.Errorf("sync: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, portal.Errorf(portal.EPRECONDITION, "cannot reach the portal server at %s (%v); check --server and that `portalstudio serve` runs there", c.URL, errors.Unwrap(err))
	}
	if resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	if resp.StatusCode < 400 {
		return nil, c.redirectError(resp, path)
	}
	return nil, c.serverError(resp)
}

// redirectError is the error of a redirect, which the client never
// follows: the admin token is for the server it was given for only.
func (c *Client) redirectError(resp *http.Response, path string) error {
	loc, err := resp.Location()
	if err != nil {
		return portal.Errorf(portal.EPRECONDITION, "the server at %s answered %s without saying where to; check --server", c.URL, resp.Status)
	}
	server := loc.String()
	if p := strings.TrimSuffix(loc.Path, path); p != loc.Path && loc.RawQuery == "" {
		base := *loc
		base.Path, base.RawPath = p, ""
		server = strings.TrimSuffix(base.String(), "/")
	}
	return portal.Errorf(portal.EPRECONDITION, "the server at %s answered with a redirect to %s and the admin token was not sent there; give that address (%s) as --server if you trust it", c.URL, loc, server)
}

// serverError turns an error answer into an error.
func (c *Client) serverError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	var body struct {
		Error struct {
			Code     string           `json:"code"`
			Message  string           `json:"message"`
			Problems []portal.Problem `json:"problems"`
		} `json:"error"`
		Current json.RawMessage `json:"current"`
	}
	if json.Unmarshal(b, &body) != nil || body.Error.Code == "" {
		return portal.Errorf(portal.EINTERNAL, "the server at %s answered %s, not a portal server's JSON; check --server", c.URL, resp.Status)
	}
	pe := &portal.Error{Code: body.Error.Code, Message: body.Error.Message, Problems: body.Error.Problems}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		pe.Code = portal.EUNAUTHORIZED
		pe.Message = "the server refused the admin token (" + pe.Message + "); give the right one with --token-file or " + TokenEnv
	case http.StatusPreconditionFailed:
		if len(body.Current) > 0 {
			cur, err := parseSettings(body.Current)
			if err != nil {
				return fmt.Errorf("sync: the server's current settings: %w", err)
			}
			return &portal.StaleError{Current: cur, Err: pe}
		}
	}
	if len(pe.Problems) > 0 {
		pe.Message = "the server refused the settings: " + pe.Message
	}
	return pe
}

// parseSettings reads a settings document as the server sends it (its
// version included).
func parseSettings(b []byte) (*portal.Settings, error) {
	var st portal.Settings
	if err := st.UnmarshalJSON(b); err != nil {
		return nil, err
	}
	return &st, nil
}

// settingsAnswer reads a settings document from a response.
func settingsAnswer(resp *http.Response) (*portal.Settings, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("sync: read the server's answer: %w", err)
	}
	st, err := parseSettings(b)
	if err != nil {
		return nil, fmt.Errorf("sync: the server's settings: %w", err)
	}
	if tag := strings.Trim(resp.Header.Get("ETag"), `"`); tag != "" {
		if n, err := strconv.Atoi(tag); err == nil && n != st.Version {
			return nil, fmt.Errorf("sync: the server's ETag %s does not match its version %d", tag, st.Version)
		}
	}
	return st, nil
}

// Live returns the server's live settings.
func (c *Client) Live(ctx context.Context) (*portal.Settings, error) {
	resp, err := c.request(ctx, http.MethodGet, "/api/v1/settings", nil, nil)
	if err != nil {
		return nil, err
	}
	return settingsAnswer(resp)
}

// Version returns version n of the server's live settings; version 0 is
// the defaults every server starts from.
func (c *Client) Version(ctx context.Context, n int) (*portal.Settings, error) {
	if n == 0 {
		return portal.DefaultSettings(), nil
	}
	resp, err := c.request(ctx, http.MethodGet, "/api/v1/settings/versions/"+strconv.Itoa(n), nil, nil)
	if err != nil {
		return nil, err
	}
	return settingsAnswer(resp)
}

// Put replaces the server's live settings with st if they are still at
// version ifMatch, and returns the new live document. It returns a
// *portal.StaleError with the server's current document when they moved on, and
// EINVALID with every problem when the server finds st invalid.
func (c *Client) Put(ctx context.Context, st *portal.Settings, ifMatch int) (*portal.Settings, error) {
	resp, err := c.request(ctx, http.MethodPut, "/api/v1/settings", st.Canonical(), map[string]string{"If-Match": `"` + strconv.Itoa(ifMatch) + `"`})
	if err != nil {
		return nil, err
	}
	return settingsAnswer(resp)
}

// WorkspaceInfo is where the server's portal is.
type WorkspaceInfo struct {
	Slug        string `json:"slug"`
	BaseURL     string `json:"base_url"`
	PortalURL   string `json:"portal_url"`
	LiveVersion int    `json:"live_version"`
}

// Workspace returns the server's slug, base URL and portal URL.
func (c *Client) Workspace(ctx context.Context) (*WorkspaceInfo, error) {
	resp, err := c.request(ctx, http.MethodGet, "/api/v1/workspace", nil, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var info WorkspaceInfo
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&info); err != nil {
		return nil, fmt.Errorf("sync: the server's workspace: %w", err)
	}
	return &info, nil
}

// Snapshot opens the server's dataset snapshot (JSON Lines); the caller
// closes it.
func (c *Client) Snapshot(ctx context.Context) (io.ReadCloser, error) {
	resp, err := c.request(ctx, http.MethodGet, "/api/v1/snapshot", nil, map[string]string{"Accept": "application/x-ndjson"})
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}
