package sqlite

import (
	"context"
	"database/sql"
	"portalstudio/backend/portal"
	"time"
)

// This file holds the workspace's portal tests (CheckStore): their
// sentences, added, replaced and removed.

// Checks returns the workspace's portal tests, in the order they were
// added.
func (s *CheckStore) Checks(ctx context.Context) ([]portal.StoredCheck, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, text FROM portal_checks ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []portal.StoredCheck{}
	for rows.Next() {
		var c portal.StoredCheck
		if err := rows.Scan(&c.ID, &c.Text); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddChecks adds portal tests (their sentences, already checked) in one
// transaction and returns their ids.
func (s *CheckStore) AddChecks(ctx context.Context, texts []string) ([]int, error) {
	var ids []int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		ids, err = insertChecks(ctx, tx, texts)
		return err
	})
	return ids, err
}

func insertChecks(ctx context.Context, tx *sql.Tx, texts []string) ([]int, error) {
	var ids []int
	for _, t := range texts {
		res, err := tx.ExecContext(ctx, `INSERT INTO portal_checks (text, created_at) VALUES (?, ?)`, t, time.Now().Unix())
		if err != nil {
			return nil, err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return nil, err
		}
		ids = append(ids, int(id))
	}
	return ids, nil
}

// ReplaceChecks replaces every portal test with texts, in one
// transaction.
func (s *CheckStore) ReplaceChecks(ctx context.Context, texts []string) ([]int, error) {
	var ids []int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM portal_checks`); err != nil {
			return err
		}
		var err error
		ids, err = insertChecks(ctx, tx, texts)
		return err
	})
	return ids, err
}

// RemoveChecks removes portal tests by id; an unknown id is ENOTFOUND and
// removes nothing.
func (s *CheckStore) RemoveChecks(ctx context.Context, ids []int) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, `DELETE FROM portal_checks WHERE id = ?`, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return portal.Errorf(portal.ENOTFOUND, "there is no portal test %d (portalstudio check list shows them); nothing was removed", id)
			}
		}
		return nil
	})
}
