package sync

import (
	"context"
	"portalstudio/backend/api"
	"strings"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// Helpers for the desktop app, which keeps no flags: it syncs with the
// server and token remembered for the workspace.

// Status is where a workspace stands with its portal server.
type Status = api.SyncStatus

// StatusOf returns the workspace's sync status.
func StatusOf(ctx context.Context, ws *sqlite.Workspace) (*Status, error) {
	cr, err := LoadCredentials(ctx, ws)
	if err != nil {
		return nil, err
	}
	live, err := ws.Live(ctx)
	if err != nil {
		return nil, err
	}
	st := &Status{Server: cr.Server, HasToken: cr.Token != "", TokenIn: cr.Where, LiveVersion: live.Version}
	st.Connected = st.Server != "" && st.HasToken
	return st, nil
}

// SavedClient returns a client of the server and token remembered for the
// workspace, or EPRECONDITION when they are not known yet.
func SavedClient(ctx context.Context, ws *sqlite.Workspace) (*Client, error) {
	cr, err := LoadCredentials(ctx, ws)
	if err != nil {
		return nil, err
	}
	if cr.Server == "" || cr.Token == "" {
		return nil, portal.Errorf(portal.EPRECONDITION, "this workspace is not connected to a portal server yet: give the server's URL and its admin token first")
	}
	return NewClient(cr.Server, cr.Token)
}

// Connect pulls from the server at serverURL with the admin token and,
// once the pull succeeded, remembers both for the workspace (the token in
// the OS keyring or the 0600 file). A refused pull remembers nothing.
func Connect(ctx context.Context, ws *sqlite.Workspace, serverURL, token string, opt PullOptions) (*PullResult, error) {
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
	if _, err := SaveCredentials(ctx, ws, c.URL, c.Token); err != nil {
		return res, err
	}
	return res, nil
}
