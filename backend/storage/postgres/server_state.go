package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"portalstudio/backend/portal"
)

// This file holds what the portal servers on this database share besides
// the dataset and the settings: secrets (the admin token's hash, the
// identity-verification secret), the base URL and slug, the session
// generation and the sessions signed out; and the portal tests.

// Secret returns a stored secret, or nil when there is none.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := s.pool.QueryRow(ctx, `SELECT value FROM server_secrets WHERE name = $1`, name).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return v, dbError(err)
}

// SetSecret stores a secret.
func (s *Store) SetSecret(ctx context.Context, name string, value []byte) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO server_secrets (name, value, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, name, value, s.Now().Unix())
		return err
	})
}

// ServerAddress returns the recorded base URL and slug ("" for those not
// recorded).
func (s *Store) ServerAddress(ctx context.Context) (baseURL, slug string, err error) {
	m, err := metaValues(ctx, s.pool)
	if err != nil {
		return "", "", dbError(err)
	}
	return m[metaBaseURL], m[metaSlug], nil
}

// SetServer records the base URL and slug portal URLs are made from
// ("" leaves one as it is).
func (s *Store) SetServer(ctx context.Context, baseURL, slug string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		for k, v := range map[string]string{metaBaseURL: baseURL, metaSlug: slug} {
			if v == "" {
				continue
			}
			if err := setMeta(ctx, tx, k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// metaSyncServer is the server this workspace last pulled from.
const metaSyncServer = "sync_server"

// SyncServer returns the URL of the server this workspace last synced
// with, or "".
func (s *Store) SyncServer(ctx context.Context) (string, error) {
	m, err := metaValues(ctx, s.pool)
	return m[metaSyncServer], dbError(err)
}

// SetSyncServer records the URL of the server this workspace syncs with.
func (s *Store) SetSyncServer(ctx context.Context, url string) error {
	return s.tx(ctx, func(tx pgx.Tx) error { return setMeta(ctx, tx, metaSyncServer, url) })
}

func newSalt() ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("random salt: %w", err)
	}
	return b, nil
}

// EnsureSessionEpoch returns the session generation, starting generation
// 1 when there is none (two replicas starting at once agree on one).
func (s *Store) EnsureSessionEpoch(ctx context.Context) (portal.SessionEpoch, error) {
	salt, err := newSalt()
	if err != nil {
		return portal.SessionEpoch{}, err
	}
	var ep portal.SessionEpoch
	err = s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO session_epoch (id, generation, salt, started_at) VALUES (1, 1, $1, $2) ON CONFLICT (id) DO NOTHING`,
			salt, s.Now().Unix()); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT generation, salt FROM session_epoch WHERE id = 1`).Scan(&ep.Generation, &ep.Salt)
	})
	return ep, err
}

// EndSessions starts a new session generation with a new salt, which
// ends every session on every replica.
func (s *Store) EndSessions(ctx context.Context) (portal.SessionEpoch, error) {
	salt, err := newSalt()
	if err != nil {
		return portal.SessionEpoch{}, err
	}
	ep := portal.SessionEpoch{Salt: salt}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO session_epoch (id, generation, salt, started_at) VALUES (1, 1, $1, $2)
			ON CONFLICT (id) DO UPDATE SET generation = session_epoch.generation + 1, salt = excluded.salt, started_at = excluded.started_at
			RETURNING generation`, salt, s.Now().Unix()).Scan(&ep.Generation); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM revoked_sessions`)
		return err
	})
	return ep, err
}

// SessionState returns, in one query, the current session generation and
// whether the session with that id was signed out (generation 0 before
// the first).
func (s *Store) SessionState(ctx context.Context, id string) (ep portal.SessionEpoch, revoked bool, err error) {
	if !storable(id) {
		id = "" // no session has it
	}
	err = s.pool.QueryRow(ctx, `SELECT e.generation, e.salt, EXISTS (SELECT 1 FROM revoked_sessions WHERE id = $1) FROM session_epoch e WHERE e.id = 1`, id).
		Scan(&ep.Generation, &ep.Salt, &revoked)
	if errors.Is(err, pgx.ErrNoRows) {
		return portal.SessionEpoch{}, false, nil
	}
	return ep, revoked, dbError(err)
}

// RevokeSession records that the session id was signed out, until it
// expires; sessions expired before now are pruned meanwhile.
func (s *Store) RevokeSession(ctx context.Context, id string, expires, now time.Time) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO revoked_sessions (id, expires_at) VALUES ($1, $2)
			ON CONFLICT (id) DO UPDATE SET expires_at = greatest(revoked_sessions.expires_at, excluded.expires_at)`, id, expires.Unix()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM revoked_sessions WHERE expires_at < $1`, now.Unix())
		return err
	})
}

// Checks returns the portal tests in the order they were added.
func (s *Store) Checks(ctx context.Context) ([]portal.StoredCheck, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, text FROM portal_checks ORDER BY id`)
	if err != nil {
		return nil, dbError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (portal.StoredCheck, error) {
		var c portal.StoredCheck
		err := r.Scan(&c.ID, &c.Text)
		return c, err
	})
	if out == nil {
		out = []portal.StoredCheck{}
	}
	return out, dbError(err)
}

func (s *Store) insertChecks(ctx context.Context, tx pgx.Tx, texts []string) ([]int, error) {
	var ids []int
	for _, t := range texts {
		var id int
		if err := tx.QueryRow(ctx, `INSERT INTO portal_checks (text, created_at) VALUES ($1, $2) RETURNING id`, t, s.Now().Unix()).Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// AddChecks adds tests and returns their ids.
func (s *Store) AddChecks(ctx context.Context, texts []string) ([]int, error) {
	var ids []int
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		ids, err = s.insertChecks(ctx, tx, texts)
		return err
	})
	return ids, err
}

// ReplaceChecks replaces every test, in one transaction.
func (s *Store) ReplaceChecks(ctx context.Context, texts []string) ([]int, error) {
	var ids []int
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM portal_checks`); err != nil {
			return err
		}
		var err error
		ids, err = s.insertChecks(ctx, tx, texts)
		return err
	})
	return ids, err
}

// RemoveChecks removes tests by id; an unknown id is ENOTFOUND and
// removes nothing.
func (s *Store) RemoveChecks(ctx context.Context, ids []int) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		for _, id := range ids {
			tag, err := tx.Exec(ctx, `DELETE FROM portal_checks WHERE id = $1`, id)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return portal.Errorf(portal.ENOTFOUND, "there is no portal test %d (portalstudio check list shows them); nothing was removed", id)
			}
		}
		return nil
	})
}
