// Package remote is the desktop side of settings sync: an HTTP client of a
// portal server's admin API (Client), pull and push of a workspace's
// settings (Pull, Push), the three-way merge a push falls back on when the
// server moved on (ThreeWay), and where a workspace remembers its server
// and admin token (a Vault: the OS keyring or a 0600 file by default, see
// LoadCredentialsFrom, SaveCredentialsIn).
//
// A workspace keeps a draft and the live copy it last synced, each with
// the version of the server's live settings it is based on. Push sends the
// draft with If-Match of that version. When the server answers 412 with
// its current settings, push never overwrites them: it merges the draft
// and the server's settings from their common base field by field (an
// object merges by key; a list, a scalar and a whole rule are single
// values), takes what only one side changed, and resolves the fields both
// changed only as the admin says (take the draft or the live side). The
// merge is shown as two line diffs (base to live, base to draft) made with
// go-diff.
//
// It speaks to the server in wire types and to the workspace through the
// domain's ports (Local): it knows neither the server's code nor the
// store's.
package remote

import (
	"context"

	"portalstudio/backend/portal"
)

// Local is the desktop workspace a sync reads and writes: the domain's
// settings and dataset ports, where it remembers its server, and where it
// is (the admin token's file sits beside it).
type Local interface {
	portal.SettingsStore
	portal.Importer
	// SetServer records the server's base URL and slug, from which the
	// portal URL is made.
	SetServer(ctx context.Context, baseURL, slug string) error
	// SyncServer returns the server the workspace syncs with ("" before
	// the first sync); SetSyncServer records it.
	SyncServer(ctx context.Context) (string, error)
	SetSyncServer(ctx context.Context, url string) error
	// Location is where the workspace is: a file's path.
	Location() string
}
