package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"portalstudio/backend/portal"
)

// Meta keys.
const (
	metaSlug    = "slug"
	metaBaseURL = "base_url"
)

// DefaultBaseURL is the portal server's base URL until the workspace is
// synced with a server.
const DefaultBaseURL = "http://127.0.0.1:8080"

// Draft returns the draft settings: what the admin is editing. A new
// workspace's draft is portal.DefaultSettings.
func (s *SettingsStore) Draft(ctx context.Context) (*portal.Settings, error) {
	return s.cachedDraft(ctx)
}

// Live returns the live settings the workspace last synced, with their
// version; before any sync, the default settings at version 0.
func (s *SettingsStore) Live(ctx context.Context) (*portal.Settings, error) {
	return s.cachedLive(ctx)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *SettingsStore) loadSettings(ctx context.Context, q queryer, name string) (*portal.Settings, error) {
	var doc string
	var version int
	const query = `SELECT doc, version FROM settings WHERE name = ?`
	var row *sql.Row
	if db, ok := q.(*sql.DB); ok && db == s.db {
		row = s.queryRow(ctx, query, name) // prepared once: every preview reads its settings
	} else {
		row = q.QueryRowContext(ctx, query, name)
	}
	err := row.Scan(&doc, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return portal.DefaultSettings(), nil
	}
	if err != nil {
		return nil, err
	}
	var st portal.Settings
	if err := st.UnmarshalJSON([]byte(doc)); err != nil {
		return nil, err
	}
	st.Version = version
	return &st, nil
}

func (s *SettingsStore) saveSettings(ctx context.Context, q queryer, name string, st *portal.Settings) error {
	_, err := q.ExecContext(ctx, `INSERT INTO settings (name, version, doc, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET version = excluded.version, doc = excluded.doc, updated_at = excluded.updated_at`,
		name, st.Version, string(st.Canonical()), s.Now().Unix())
	return err
}

// ApplyDraft validates a whole settings document against the workspace and,
// only when every part is valid, makes it the draft. The draft keeps the
// version of the live settings it is based on (a document's own "version"
// is ignored: versions are set by the server).
func (s *SettingsStore) ApplyDraft(ctx context.Context, doc []byte) (*portal.Settings, error) {
	var out *portal.Settings
	err := s.tx(ctx, func(tx *sql.Tx) error {
		env, err := s.env(ctx, tx)
		if err != nil {
			return err
		}
		st, err := portal.ParseSettings(doc, env)
		if err != nil {
			return err
		}
		cur, err := s.loadSettings(ctx, tx, "draft")
		if err != nil {
			return err
		}
		st.Version = cur.Version
		out = st
		return s.saveSettings(ctx, tx, "draft", st)
	})
	return out, err
}

// SetLive records st as the live settings (after a pull or push).
func (s *SettingsStore) SetLive(ctx context.Context, st *portal.Settings) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.saveSettings(ctx, tx, "live", st) })
}

// Env returns what validating settings needs to know of the workspace.
func (s *SettingsStore) Env(ctx context.Context) (portal.Env, error) {
	return s.env(ctx, s.db)
}

func (s *SettingsStore) env(ctx context.Context, q queryer) (portal.Env, error) {
	var env portal.Env
	sch, err := s.schema(ctx, q)
	if err != nil {
		return env, err
	}
	env.Schema = sch
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM ticket_types WHERE category = 'Customer'`).Scan(&env.CustomerTicketTypes); err != nil {
		return env, err
	}
	// The live settings' URL first: once synced it is the server's, which
	// a draft made on the desktop must not override.
	for _, name := range []string{"live", "draft"} {
		st, err := s.loadSettings(ctx, q, name)
		if err != nil {
			return env, err
		}
		if st.Portal.URL != "" {
			env.PortalURL = st.Portal.URL
			break
		}
	}
	slug, err := s.meta(ctx, q, metaSlug, portal.Slug(s.path))
	if err != nil {
		return env, err
	}
	base, err := s.meta(ctx, q, metaBaseURL, DefaultBaseURL)
	if err != nil {
		return env, err
	}
	env.NewPortalURL = strings.TrimSuffix(base, "/") + "/portal/" + slug + "/"
	pinned, err := s.meta(ctx, q, metaPortalURL, "")
	if err != nil {
		return env, err
	}
	if pinned != "" {
		env.Pinned, env.NewPortalURL = true, pinned
		if env.PortalURL != "" {
			env.PortalURL = pinned
		}
	}
	return env, nil
}

func (d *DB) meta(ctx context.Context, q queryer, key, def string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	return v, err
}

func (s *SettingsStore) cachedLive(ctx context.Context) (*portal.Settings, error) {
	return cached(ctx, s.DB,
		func(rc *readCache) (*portal.Settings, bool) { return rc.live, rc.live != nil },
		func() (*portal.Settings, error) { return s.loadSettings(ctx, s.db, "live") },
		func(rc *readCache, st *portal.Settings) { rc.live = st })
}

func (s *SettingsStore) cachedDraft(ctx context.Context) (*portal.Settings, error) {
	return cached(ctx, s.DB,
		func(rc *readCache) (*portal.Settings, bool) { return rc.draft, rc.draft != nil },
		func() (*portal.Settings, error) { return s.loadSettings(ctx, s.db, "draft") },
		func(rc *readCache, st *portal.Settings) { rc.draft = st })
}
