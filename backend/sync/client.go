package sync

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

	"portalstudio/backend/portal"
)

// Client speaks to a portal server's admin API.
type Client struct {
	// URL is the server's base URL: http://127.0.0.1:8080.
	URL string
	// Token is the server's admin token.
	Token string
	// HTTP sends the requests; default http.DefaultClient. Requests are
	// bounded by their context.
	HTTP *http.Client
}

// NewClient returns a client for the server at serverURL, checking the URL.
func NewClient(serverURL, token string) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(serverURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, portal.Errorf(portal.EINVALID, "%q is not a server URL; give one like http://127.0.0.1:8080", serverURL)
	}
	if strings.TrimSpace(token) == "" {
		return nil, portal.Errorf(portal.EINVALID, "no admin token; pass --token (the server wrote it to <data folder>/admin-token)")
	}
	return &Client{URL: strings.TrimSuffix(u.String(), "/"), Token: strings.TrimSpace(token)}, nil
}

// StaleError is a write the server refused because the live settings are
// no longer at the version it named (412); Current is the server's
// current document.
type StaleError struct {
	Current *portal.Settings
	Err     *portal.Error
}

func (e *StaleError) Error() string { return e.Err.Message }
func (e *StaleError) Unwrap() error { return e.Err }

// request sends one request and returns the response when it is a
// success; a server's JSON error becomes a *portal.Error (or a
// *StaleError for 412 with the current document).
func (c *Client) request(ctx context.Context, method, path string, body []byte, header map[string]string) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
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
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
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
	return nil, c.serverError(resp)
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
		pe.Message = "the server refused the admin token (" + pe.Message + "); pass the right one with --token"
	case http.StatusPreconditionFailed:
		if len(body.Current) > 0 {
			cur, err := parseSettings(body.Current)
			if err != nil {
				return fmt.Errorf("sync: the server's current settings: %w", err)
			}
			return &StaleError{Current: cur, Err: pe}
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
// *StaleError with the server's current document when they moved on, and
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
