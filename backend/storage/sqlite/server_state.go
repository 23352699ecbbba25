package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// This file holds what a portal server or a sync keeps besides the dataset
// and the settings: the server's secrets, its address, and the server a
// desktop workspace syncs with (the sessions are in sessions.go).

// metaSyncServer is the server a desktop workspace last synced with.
const metaSyncServer = "sync_server"

// Secret returns a server secret, or nil when it is not set.
func (s *ServerStore) Secret(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := s.db.QueryRowContext(ctx, `SELECT value FROM server_secrets WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return v, err
}

// SetSecret sets a server secret.
func (s *ServerStore) SetSecret(ctx context.Context, name string, value []byte) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO server_secrets (name, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, name, value, s.Now().Unix())
		return err
	})
}

// EnsureSecret returns a server secret, setting it to gen() first when it
// is not set (atomically: two servers starting at once agree on one).
func (s *ServerStore) EnsureSecret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error) {
	var out []byte
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT value FROM server_secrets WHERE name = ?`, name).Scan(&out)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if out, err = gen(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO server_secrets (name, value, updated_at) VALUES (?, ?, ?)`, name, out, s.Now().Unix())
		return err
	})
	return out, err
}

// ServerAddress returns the base URL and slug recorded by SetServer, ""
// for those not recorded.
func (s *ServerStore) ServerAddress(ctx context.Context) (baseURL, slug string, err error) {
	if baseURL, err = s.meta(ctx, s.db, metaBaseURL, ""); err != nil {
		return "", "", err
	}
	slug, err = s.meta(ctx, s.db, metaSlug, "")
	return baseURL, slug, err
}

// SyncServer returns the URL of the server this workspace last synced
// with, or "".
func (s *ServerStore) SyncServer(ctx context.Context) (string, error) {
	return s.meta(ctx, s.db, metaSyncServer, "")
}

// SetSyncServer records the URL of the server this workspace syncs with.
func (s *ServerStore) SetSyncServer(ctx context.Context, url string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaSyncServer, url)
		return err
	})
}

// SetServer records the portal server's base URL and the workspace slug,
// from which the portal URL is generated.
func (s *ServerStore) SetServer(ctx context.Context, baseURL, slug string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for k, v := range map[string]string{metaBaseURL: baseURL, metaSlug: slug} {
			if v == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
				return err
			}
		}
		return nil
	})
}
