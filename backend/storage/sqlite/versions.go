package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"portalstudio/backend/portal"
)

// This file holds the versions of the live settings: the portal server's
// optimistic writes (PutLive, RestoreLive), their history, and what a sync
// brings back.

// LiveVersion returns the version of the live settings (0 before the first
// write).
func (s *SettingsStore) LiveVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT version FROM settings WHERE name = 'live'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// PutLive validates a whole settings document against the workspace and,
// when ifMatch is the current live version (or portal.AnyVersion), makes it the
// live settings at the next version, keeping every earlier version. The
// check and the write happen in one immediate transaction, so of two
// writers from the same version exactly one succeeds. It returns the new
// document; a *portal.StaleError (EPRECONDITION) carrying the current document
// when ifMatch is not current; EINVALID with every problem when the
// document is invalid. The document's own "version" is ignored.
func (s *SettingsStore) PutLive(ctx context.Context, doc []byte, ifMatch int) (*portal.Settings, error) {
	var out *portal.Settings
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.putLive(ctx, tx, doc, ifMatch, "")
		return err
	})
	return out, err
}

// RestoreLive makes a new version of the live settings whose content is
// that of version n (re-validated against the workspace as it is now).
// History is never rewritten. It returns ENOTFOUND for an unknown version
// and, like PutLive, a *portal.StaleError when ifMatch is not portal.AnyVersion nor the
// current version.
func (s *SettingsStore) RestoreLive(ctx context.Context, n, ifMatch int) (*portal.Settings, error) {
	var out *portal.Settings
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var doc string
		err := tx.QueryRowContext(ctx, `SELECT doc FROM settings_versions WHERE version = ?`, n).Scan(&doc)
		if errors.Is(err, sql.ErrNoRows) {
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

func (s *SettingsStore) putLive(ctx context.Context, tx *sql.Tx, doc []byte, ifMatch int, note string) (*portal.Settings, error) {
	cur, err := s.loadSettings(ctx, tx, "live")
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
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings_versions (version, doc, summary, created_at) VALUES (?, ?, ?, ?)`,
		st.Version, string(st.Canonical()), summary, s.Now().Unix()); err != nil {
		return nil, err
	}
	return st, nil
}

// Versions lists the versions of the live settings, newest first, at most
// limit (the newest ones).
func (s *SettingsStore) Versions(ctx context.Context, limit int) ([]portal.SettingsVersion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT version, created_at, summary FROM settings_versions ORDER BY version DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []portal.SettingsVersion{}
	for rows.Next() {
		var v portal.SettingsVersion
		var created int64
		if err := rows.Scan(&v.Version, &created, &v.Summary); err != nil {
			return nil, err
		}
		v.CreatedAt = time.Unix(created, 0).UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// Version returns version n of the live settings, or ENOTFOUND.
func (s *SettingsStore) Version(ctx context.Context, n int) (*portal.Settings, error) {
	var doc string
	err := s.db.QueryRowContext(ctx, `SELECT doc FROM settings_versions WHERE version = ?`, n).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, portal.Errorf(portal.ENOTFOUND, "there is no settings version %d", n)
	}
	if err != nil {
		return nil, err
	}
	var st portal.Settings
	if err := st.UnmarshalJSON([]byte(doc)); err != nil {
		return nil, fmt.Errorf("settings version %d: %w", n, err)
	}
	st.Version = n
	return &st, nil
}

// SetSynced records, in one transaction, the live settings a sync brought
// back and, when draft is not nil, makes draft the draft, based on that
// live version.
func (s *SettingsStore) SetSynced(ctx context.Context, live, draft *portal.Settings) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
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
