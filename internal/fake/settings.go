package fake

import (
	"context"

	"portalstudio/backend/portal"
)

var _ portal.SettingsStore = (*SettingsStore)(nil)

// SettingsStore is a portal.SettingsStore whose methods call its fields.
type SettingsStore struct {
	DraftFn       func(ctx context.Context) (*portal.Settings, error)
	LiveFn        func(ctx context.Context) (*portal.Settings, error)
	EnvFn         func(ctx context.Context) (portal.Env, error)
	ApplyDraftFn  func(ctx context.Context, doc []byte) (*portal.Settings, error)
	SetLiveFn     func(ctx context.Context, st *portal.Settings) error
	SetSyncedFn   func(ctx context.Context, live, draft *portal.Settings) error
	LiveVersionFn func(ctx context.Context) (int, error)
	PutLiveFn     func(ctx context.Context, doc []byte, ifMatch int) (*portal.Settings, error)
	RestoreLiveFn func(ctx context.Context, n, ifMatch int) (*portal.Settings, error)
	VersionsFn    func(ctx context.Context, limit int) ([]portal.SettingsVersion, error)
	VersionFn     func(ctx context.Context, n int) (*portal.Settings, error)
}

// Draft calls DraftFn.
func (s *SettingsStore) Draft(ctx context.Context) (*portal.Settings, error) { return s.DraftFn(ctx) }

// Live calls LiveFn.
func (s *SettingsStore) Live(ctx context.Context) (*portal.Settings, error) { return s.LiveFn(ctx) }

// Env calls EnvFn.
func (s *SettingsStore) Env(ctx context.Context) (portal.Env, error) { return s.EnvFn(ctx) }

// ApplyDraft calls ApplyDraftFn.
func (s *SettingsStore) ApplyDraft(ctx context.Context, doc []byte) (*portal.Settings, error) {
	return s.ApplyDraftFn(ctx, doc)
}

// SetLive calls SetLiveFn.
func (s *SettingsStore) SetLive(ctx context.Context, st *portal.Settings) error {
	return s.SetLiveFn(ctx, st)
}

// SetSynced calls SetSyncedFn.
func (s *SettingsStore) SetSynced(ctx context.Context, live, draft *portal.Settings) error {
	return s.SetSyncedFn(ctx, live, draft)
}

// LiveVersion calls LiveVersionFn.
func (s *SettingsStore) LiveVersion(ctx context.Context) (int, error) { return s.LiveVersionFn(ctx) }

// PutLive calls PutLiveFn.
func (s *SettingsStore) PutLive(ctx context.Context, doc []byte, ifMatch int) (*portal.Settings, error) {
	return s.PutLiveFn(ctx, doc, ifMatch)
}

// RestoreLive calls RestoreLiveFn.
func (s *SettingsStore) RestoreLive(ctx context.Context, n, ifMatch int) (*portal.Settings, error) {
	return s.RestoreLiveFn(ctx, n, ifMatch)
}

// Versions calls VersionsFn.
func (s *SettingsStore) Versions(ctx context.Context, limit int) ([]portal.SettingsVersion, error) {
	return s.VersionsFn(ctx, limit)
}

// Version calls VersionFn.
func (s *SettingsStore) Version(ctx context.Context, n int) (*portal.Settings, error) {
	return s.VersionFn(ctx, n)
}
