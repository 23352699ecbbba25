package remote

import (
	"context"
	"strings"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// Helpers for the desktop app, which keeps no flags: it syncs with the
// server remembered in the workspace and the token kept in a Vault.

// StatusOf returns the workspace's sync status.
func StatusOf(ctx context.Context, ws Local, v Vault) (*wire.SyncStatus, error) {
	cr, err := LoadCredentialsFrom(ctx, ws, v)
	if err != nil {
		return nil, err
	}
	live, err := ws.Live(ctx)
	if err != nil {
		return nil, err
	}
	st := &wire.SyncStatus{Server: cr.Server, HasToken: cr.TokenFor(cr.Server) != "", LiveVersion: live.Version}
	if st.HasToken {
		st.TokenIn = cr.Where
	}
	st.Connected = st.Server != "" && st.HasToken
	return st, nil
}

// SavedClient returns a client of the server and token remembered for the
// workspace, or EPRECONDITION when they are not known yet or the token
// was saved for another server.
func SavedClient(ctx context.Context, ws Local, v Vault) (*Client, error) {
	cr, err := LoadCredentialsFrom(ctx, ws, v)
	if err != nil {
		return nil, err
	}
	if cr.Server == "" || cr.Token == "" {
		return nil, portal.Errorf(portal.EPRECONDITION, "this workspace is not connected to a portal server yet: give the server's URL and its admin token first")
	}
	tok := cr.TokenFor(cr.Server)
	if tok == "" {
		return nil, portal.Errorf(portal.EPRECONDITION, "the saved admin token belongs to %s, not to %s; connect again with the token of %s", cr.TokenServer, cr.Server, cr.Server)
	}
	return NewClient(cr.Server, tok)
}

// Connect pulls from the server at serverURL with the admin token and,
// once the pull succeeded, remembers both for the workspace (the token in
// v). A refused pull remembers nothing.
func Connect(ctx context.Context, ws Local, v Vault, serverURL, token string, opt PullOptions) (*wire.PullResult, error) {
	// A saved token is never taken for a new URL: every connect comes
	// with the token of the server it names.
	if strings.TrimSpace(token) == "" {
		return nil, portal.Errorf(portal.EINVALID, "give the server's admin token (the server wrote it to <data folder>/admin-token)")
	}
	c, err := NewClient(serverURL, token)
	if err != nil {
		return nil, err
	}
	res, err := Pull(ctx, ws, c, opt)
	if err != nil {
		return res, err
	}
	if _, err := SaveCredentialsIn(ctx, ws, v, c.URL, c.Token); err != nil {
		return res, err
	}
	return res, nil
}
