package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"portalstudio/backend/portal"
)

// This file holds what the portal server keeps of its sessions: the
// session generation and the sessions signed out before they expire. The
// session key itself is never stored: the server derives it from the
// identity-verification secret (a file outside the workspace) and the
// generation's salt, so reading the workspace gives nothing that signs a
// session.

// newSalt returns 32 random bytes.
func newSalt() ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("random salt: %w", err)
	}
	return b, nil
}

// EnsureSessionEpoch returns the current session generation, starting
// generation 1 when there is none (atomically: two servers starting at
// once agree on one).
func (s *ServerStore) EnsureSessionEpoch(ctx context.Context) (portal.SessionEpoch, error) {
	salt, err := newSalt()
	if err != nil {
		return portal.SessionEpoch{}, err
	}
	var ep portal.SessionEpoch
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO session_epoch (id, generation, salt, started_at) VALUES (1, 1, ?, ?) ON CONFLICT (id) DO NOTHING`,
			salt, s.Now().Unix()); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT generation, salt FROM session_epoch WHERE id = 1`).Scan(&ep.Generation, &ep.Salt)
	})
	return ep, err
}

// EndSessions starts a new session generation with a new salt: every
// session made before is over, on every server sharing the workspace. It
// returns the new generation.
func (s *ServerStore) EndSessions(ctx context.Context) (portal.SessionEpoch, error) {
	salt, err := newSalt()
	if err != nil {
		return portal.SessionEpoch{}, err
	}
	ep := portal.SessionEpoch{Salt: salt}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO session_epoch (id, generation, salt, started_at) VALUES (1, 1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET generation = generation + 1, salt = excluded.salt, started_at = excluded.started_at
			RETURNING generation`, salt, s.Now().Unix()).Scan(&ep.Generation); err != nil {
			return err
		}
		// The sessions signed out are over anyway.
		_, err := tx.ExecContext(ctx, `DELETE FROM revoked_sessions`)
		return err
	})
	return ep, err
}

// SessionState returns, in one indexed query, the current session
// generation and whether the session id was signed out. A workspace
// that never had a session has generation 0 (no session is valid).
func (s *ServerStore) SessionState(ctx context.Context, id string) (ep portal.SessionEpoch, revoked bool, err error) {
	err = s.queryRow(ctx, `SELECT e.generation, e.salt, EXISTS (SELECT 1 FROM revoked_sessions WHERE id = ?) FROM session_epoch e WHERE e.id = 1`, id).
		Scan(&ep.Generation, &ep.Salt, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return portal.SessionEpoch{}, false, nil
	}
	return ep, revoked, err
}

// RevokeSession records that the session id was signed out: SessionState
// reports it revoked until it expires. The sessions whose expiry is
// before now (the caller's clock) are pruned meanwhile. It does not empty the read cache: no cached read
// depends on sessions.
func (s *ServerStore) RevokeSession(ctx context.Context, id string, expires, now time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return diskError(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO revoked_sessions (id, expires_at) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)`, id, expires.Unix()); err != nil {
		return diskError(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM revoked_sessions WHERE expires_at < ?`, now.Unix()); err != nil {
		return diskError(err)
	}
	return diskError(tx.Commit())
}
