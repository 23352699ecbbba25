package fake

import (
	"context"

	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
)

var _ remote.Local = (*Local)(nil)

// Local is a remote.Local (the desktop workspace a sync reads and
// writes) whose methods call its fields.
type Local struct {
	SettingsStore
	ImportFn        func(ctx context.Context, src portal.RecordSource, opt portal.ImportOptions) (portal.ImportReport, error)
	SetServerFn     func(ctx context.Context, baseURL, slug string) error
	SyncServerFn    func(ctx context.Context) (string, error)
	SetSyncServerFn func(ctx context.Context, url string) error
	LocationFn      func() string
}

// Import calls ImportFn.
func (l *Local) Import(ctx context.Context, src portal.RecordSource, opt portal.ImportOptions) (portal.ImportReport, error) {
	return l.ImportFn(ctx, src, opt)
}

// SetServer calls SetServerFn.
func (l *Local) SetServer(ctx context.Context, baseURL, slug string) error {
	return l.SetServerFn(ctx, baseURL, slug)
}

// SyncServer calls SyncServerFn.
func (l *Local) SyncServer(ctx context.Context) (string, error) { return l.SyncServerFn(ctx) }

// SetSyncServer calls SetSyncServerFn.
func (l *Local) SetSyncServer(ctx context.Context, url string) error {
	return l.SetSyncServerFn(ctx, url)
}

// Location calls LocationFn.
func (l *Local) Location() string { return l.LocationFn() }

// Kept is what Desktop keeps: a desktop workspace's settings and servers.
// Nil settings read as portal.DefaultSettings (version 0), as in a new
// workspace. A test sets it up and reads it back; the Local keeps copies,
// so a caller changing what it was given changes nothing here.
type Kept struct {
	Draft, Live   *portal.Settings
	BaseURL, Slug string // SetServer's
	SyncServer    string
}

// Desktop returns a Local over k, at location (where a token file would
// go, beside it): the settings a sync reads and records (Draft, Live,
// SetSynced) and the servers it remembers. The dataset and everything a
// sync does not use (Import, ApplyDraft, the live history) are left unset:
// a test that needs them sets them.
func Desktop(k *Kept, location string) *Local {
	get := func(st *portal.Settings) *portal.Settings {
		if st == nil {
			return portal.DefaultSettings()
		}
		return st.Clone()
	}
	return &Local{
		SettingsStore: SettingsStore{
			DraftFn: func(context.Context) (*portal.Settings, error) { return get(k.Draft), nil },
			LiveFn:  func(context.Context) (*portal.Settings, error) { return get(k.Live), nil },
			SetSyncedFn: func(_ context.Context, live, draft *portal.Settings) error {
				k.Live = live.Clone()
				if draft != nil {
					k.Draft = draft.Clone()
					k.Draft.Version = live.Version
				}
				return nil
			},
		},
		SetServerFn: func(_ context.Context, baseURL, slug string) error {
			k.BaseURL, k.Slug = baseURL, slug
			return nil
		},
		SyncServerFn: func(context.Context) (string, error) { return k.SyncServer, nil },
		SetSyncServerFn: func(_ context.Context, url string) error {
			k.SyncServer = url
			return nil
		},
		LocationFn: func() string { return location },
	}
}
