package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"portalstudio/backend/portal"
)

// This file holds the settings: the draft, the live settings and every
// live version. A write of the live settings is one transaction that
// takes the settings' write lock (a transaction-level advisory lock, then
// the live row FOR UPDATE): of two replicas writing from one version,
// exactly one wins and the other gets the current document.

// Meta keys.
const (
	metaSlug      = "slug"
	metaBaseURL   = "base_url"
	metaPortalURL = "server_portal_url"
)

// DefaultBaseURL is the base URL portal URLs are made from until a server
// records its own.
const DefaultBaseURL = "http://127.0.0.1:8080"

// settingsLock is the advisory lock every write of the live settings
// takes in its transaction.
const settingsLock = 0x73657474 // "sett"

type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func loadSettings(ctx context.Context, q queryRower, name string) (*portal.Settings, error) {
	var doc string
	var version int
	err := q.QueryRow(ctx, `SELECT doc, version FROM settings WHERE name = $1`, name).Scan(&doc, &version)
	if errors.Is(err, pgx.ErrNoRows) {
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

func (s *Store) saveSettings(ctx context.Context, tx pgx.Tx, name string, st *portal.Settings) error {
	_, err := tx.Exec(ctx, `INSERT INTO settings (name, version, doc, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET version = excluded.version, doc = excluded.doc, updated_at = excluded.updated_at`,
		name, st.Version, string(st.Canonical()), s.Now().Unix())
	return err
}

// Draft returns the draft (the defaults before the first edit).
func (s *Store) Draft(ctx context.Context) (*portal.Settings, error) {
	st, err := loadSettings(ctx, s.pool, "draft")
	return st, dbError(err)
}

// Live returns the live settings (version 0, the defaults, before the
// first write). Read from the database every time (another replica may
// have written them); with CacheReads the document is sent and parsed
// only when it changed (prefetch.go).
func (s *Store) Live(ctx context.Context) (*portal.Settings, error) {
	if s.rc.enabled() {
		return s.cachedLive(ctx)
	}
	st, err := loadSettings(ctx, s.pool, "live")
	return st, dbError(err)
}

// LiveVersion returns the live settings' version (0 before the first
// write).
func (s *Store) LiveVersion(ctx context.Context) (int, error) {
	var v int
	err := s.pool.QueryRow(ctx, `SELECT version FROM settings WHERE name = 'live'`).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return v, dbError(err)
}

// Env returns what validating settings needs to know of the workspace.
func (s *Store) Env(ctx context.Context) (portal.Env, error) {
	env, err := s.env(ctx, s.pool)
	return env, dbError(err)
}

func (s *Store) env(ctx context.Context, q queryRower) (portal.Env, error) {
	var env portal.Env
	sch, err := schemaOf(ctx, q)
	if err != nil {
		return env, err
	}
	env.Schema = sch
	if err := q.QueryRow(ctx, `SELECT count(*) FROM ticket_types WHERE category = 'Customer'`).Scan(&env.CustomerTicketTypes); err != nil {
		return env, err
	}
	for _, name := range []string{"live", "draft"} {
		st, err := loadSettings(ctx, q, name)
		if err != nil {
			return env, err
		}
		if st.Portal.URL != "" {
			env.PortalURL = st.Portal.URL
			break
		}
	}
	m, err := metaValues(ctx, q)
	if err != nil {
		return env, err
	}
	slug, base := m[metaSlug], m[metaBaseURL]
	if slug == "" {
		slug = s.defaultSlug()
	}
	if base == "" {
		base = DefaultBaseURL
	}
	env.NewPortalURL = strings.TrimSuffix(base, "/") + "/portal/" + slug + "/"
	if pinned := m[metaPortalURL]; pinned != "" {
		env.Pinned, env.NewPortalURL = true, pinned
		if env.PortalURL != "" {
			env.PortalURL = pinned
		}
	}
	return env, nil
}

// defaultSlug is the slug before a server records one: the database's
// name.
func (s *Store) defaultSlug() string {
	if s.slug != "" {
		return s.slug
	}
	return portal.Slug(s.dbName + ".db")
}

func metaValues(ctx context.Context, q queryRower) (map[string]string, error) {
	rows, err := q.Query(ctx, `SELECT key, value FROM meta`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, rows.Err()
}

func setMeta(ctx context.Context, tx pgx.Tx, key, value string) error {
	_, err := tx.Exec(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// ApplyDraft validates a whole document and, only when every part is
// valid, makes it the draft, keeping the draft's base version.
func (s *Store) ApplyDraft(ctx context.Context, doc []byte) (*portal.Settings, error) {
	var out *portal.Settings
	err := s.tx(ctx, func(tx pgx.Tx) error {
		env, err := s.env(ctx, tx)
		if err != nil {
			return err
		}
		st, err := portal.ParseSettings(doc, env)
		if err != nil {
			return err
		}
		cur, err := loadSettings(ctx, tx, "draft")
		if err != nil {
			return err
		}
		st.Version = cur.Version
		out = st
		return s.saveSettings(ctx, tx, "draft", st)
	})
	return out, err
}

// SetLive records st as the live settings, as a sync brought them.
func (s *Store) SetLive(ctx context.Context, st *portal.Settings) error {
	return s.tx(ctx, func(tx pgx.Tx) error { return s.saveSettings(ctx, tx, "live", st) })
}

// SetSynced records the live settings a sync brought back and, when draft
// is not nil, makes it the draft based on that version, in one
// transaction.
func (s *Store) SetSynced(ctx context.Context, live, draft *portal.Settings) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if err := s.saveSettings(ctx, tx, "live", live); err != nil {
			return err
		}
		if draft == nil {
			return nil
		}
		d := draft.Clone()
		d.Version = live.Version
		return s.saveSettings(ctx, tx, "draft", d)
	})
}

// lockLive takes the live settings' write lock in tx and returns them as
// they are.
func (s *Store) lockLive(ctx context.Context, tx pgx.Tx) (*portal.Settings, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.lockKey(settingsLock)); err != nil {
		return nil, err
	}
	var doc string
	var version int
	err := tx.QueryRow(ctx, `SELECT doc, version FROM settings WHERE name = 'live' FOR UPDATE`).Scan(&doc, &version)
	if errors.Is(err, pgx.ErrNoRows) {
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

// PutLive validates doc and, when ifMatch is the live version (or
// AnyVersion), makes it the next live version, in one transaction holding
// the settings' write lock. A stale ifMatch is a *StaleError with the
// current document; an invalid doc EINVALID with every problem.
func (s *Store) PutLive(ctx context.Context, doc []byte, ifMatch int) (*portal.Settings, error) {
	var out *portal.Settings
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = s.putLive(ctx, tx, doc, ifMatch, "")
		return err
	})
	return out, err
}

// RestoreLive makes version n's content the next live version (validated
// against the workspace as it is now). ENOTFOUND for an unknown version;
// a *StaleError like PutLive.
func (s *Store) RestoreLive(ctx context.Context, n, ifMatch int) (*portal.Settings, error) {
	var out *portal.Settings
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var doc string
		err := tx.QueryRow(ctx, `SELECT doc FROM settings_versions WHERE version = $1`, n).Scan(&doc)
		if errors.Is(err, pgx.ErrNoRows) {
			return portal.Errorf(portal.ENOTFOUND, "there is no settings version %d; list them at /api/v1/settings/versions", n)
		}
		if err != nil {
			return err
		}
		out, err = s.putLive(ctx, tx, []byte(doc), ifMatch, fmt.Sprintf("restored version %d", n))
		return err
	})
	return out, err
}

func (s *Store) putLive(ctx context.Context, tx pgx.Tx, doc []byte, ifMatch int, note string) (*portal.Settings, error) {
	cur, err := s.lockLive(ctx, tx)
	if err != nil {
		return nil, err
	}
	st, summary, err := portal.NextLive(cur, doc, ifMatch, note, func() (portal.Env, error) { return s.env(ctx, tx) })
	if err != nil {
		return nil, err
	}
	if err := s.saveSettings(ctx, tx, "live", st); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO settings_versions (version, doc, summary, created_at) VALUES ($1, $2, $3, $4)`,
		st.Version, string(st.Canonical()), summary, s.Now().Unix()); err != nil {
		return nil, err
	}
	return st, nil
}

// Versions lists the live settings' versions, newest first, at most
// limit.
func (s *Store) Versions(ctx context.Context, limit int) ([]portal.SettingsVersion, error) {
	rows, err := s.pool.Query(ctx, `SELECT version, created_at, summary FROM settings_versions ORDER BY version DESC LIMIT $1`, limit)
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	out := []portal.SettingsVersion{}
	for rows.Next() {
		var v portal.SettingsVersion
		var created int64
		if err := rows.Scan(&v.Version, &created, &v.Summary); err != nil {
			return nil, dbError(err)
		}
		v.CreatedAt = time.Unix(created, 0).UTC()
		out = append(out, v)
	}
	return out, dbError(rows.Err())
}

// Version returns version n of the live settings, or ENOTFOUND.
func (s *Store) Version(ctx context.Context, n int) (*portal.Settings, error) {
	var doc string
	err := s.pool.QueryRow(ctx, `SELECT doc FROM settings_versions WHERE version = $1`, n).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, portal.Errorf(portal.ENOTFOUND, "there is no settings version %d", n)
	}
	if err != nil {
		return nil, dbError(err)
	}
	var st portal.Settings
	if err := st.UnmarshalJSON([]byte(doc)); err != nil {
		return nil, fmt.Errorf("settings version %d: %w", n, err)
	}
	st.Version = n
	return &st, nil
}

// PinPortalURL makes url the portal URL for good (see the SQLite store's):
// live settings that name another URL are rewritten as a new version. It
// returns the live settings and the URL they named before when it
// changed them ("" otherwise). It takes the settings' write lock, so
// replicas starting together write at most one version.
func (s *Store) PinPortalURL(ctx context.Context, url string) (live *portal.Settings, was string, err error) {
	err = s.tx(ctx, func(tx pgx.Tx) error {
		cur, err := s.lockLive(ctx, tx)
		if err != nil {
			return err
		}
		if err := setMeta(ctx, tx, metaPortalURL, url); err != nil {
			return err
		}
		live = cur
		next, summary := portal.PinnedLive(cur, url)
		if next == nil {
			return nil
		}
		was = cur.Portal.URL
		if err := s.saveSettings(ctx, tx, "live", next); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO settings_versions (version, doc, summary, created_at) VALUES ($1, $2, $3, $4)`,
			next.Version, string(next.Canonical()), summary, s.Now().Unix()); err != nil {
			return err
		}
		live = next
		return nil
	})
	return live, was, err
}
