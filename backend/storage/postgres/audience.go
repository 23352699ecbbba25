package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/jackc/pgx/v5"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
)

// The store is an audience.Source: the audience engine (package audience)
// computes audiences over columns read here through the engine's
// builders, in one repeatable-read snapshot together with the dataset's
// generation. Every import bumps the generation in its own transaction,
// so an engine on any replica sees another replica's import by the
// generation and reads the columns again.

const (
	generationKey = "dataset_generation"
	stampKey      = "dataset_stamp"
)

// bumpGeneration marks the dataset as changed, inside the writing
// transaction.
func bumpGeneration(ctx context.Context, tx pgx.Tx) error {
	var b [12]byte
	rand.Read(b[:])
	_, err := tx.Exec(ctx, `INSERT INTO meta (key, value) VALUES ($1, '1')
		ON CONFLICT (key) DO UPDATE SET value = (meta.value::bigint + 1)::text;
		`, generationKey)
	if err == nil {
		err = setMeta(ctx, tx, stampKey, hex.EncodeToString(b[:]))
	}
	return err
}

// generation returns the dataset's generation: "<counter>/<stamp>/<migrations>".
func generation(ctx context.Context, q queryRower) (string, error) {
	var g string
	err := q.QueryRow(ctx, `SELECT coalesce((SELECT value FROM meta WHERE key = $1), '0')
		|| '/' || coalesce((SELECT value FROM meta WHERE key = $2), '')
		|| '/' || (SELECT count(*) FROM schema_migrations)`, generationKey, stampKey).Scan(&g)
	return g, err
}

// Generation returns the dataset's generation, which every import moves
// on.
func (s *Store) Generation(ctx context.Context) (string, error) {
	g, err := generation(ctx, s.pool)
	return g, dbError(err)
}

// ReadColumns reads the engine's columns and their generation in one
// repeatable-read snapshot (audience.Source).
func (s *Store) ReadColumns(ctx context.Context) (*audience.Columns, string, error) {
	gen, cols, err := s.readColumns(ctx)
	if err != nil {
		return nil, "", dbError(fmt.Errorf("read the audience columns: %w", err))
	}
	return cols, gen, nil
}

// ReadChanges does not tell which users changed: the engine reads every
// column again (audience.Source).
func (s *Store) ReadChanges(ctx context.Context, since string) (*audience.Columns, string, error) {
	return nil, "", audience.ErrChangesUnknown
}

// readColumns reads the engine's columns and their generation in one
// snapshot.
func (s *Store) readColumns(ctx context.Context) (string, *audience.Columns, error) {
	var gen string
	var cols *audience.Columns
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		if gen, err = generation(ctx, tx); err != nil {
			return err
		}
		var hi int64
		var n int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0), count(*) FROM users`).Scan(&hi, &n); err != nil {
			return err
		}
		if hi < 0 || hi >= 1<<32-2 || hi > 4*int64(n)+1<<20 {
			return fmt.Errorf("the users' numbers (up to %d for %d users) are too sparse for columns", hi, n)
		}
		rowsN := int(hi) + 1
		ub := audience.NewUserBuilder(rowsN)
		if err := eachRow(ctx, tx, `SELECT seq, id_fold, external_id_fold, email_fold, name_fold, role_fold, created_at, signed_up_at, last_seen_at FROM users ORDER BY seq`,
			func(v []any) error {
				seq := uint32(v[0].(int64))
				if err := ub.Add(seq); err != nil {
					return err
				}
				for i, f := range []audience.UserField{audience.UserID, audience.UserExternalID, audience.UserEmail, audience.UserName, audience.UserRole} {
					if x, ok := v[1+i].(string); ok {
						if err := ub.String(f, seq, x); err != nil {
							return err
						}
					}
				}
				for i, f := range []audience.UserField{audience.UserCreatedAt, audience.UserSignedUpAt, audience.UserLastSeenAt} {
					if x, ok := v[6+i].(int64); ok {
						if err := ub.Date(f, seq, x); err != nil {
							return err
						}
					}
				}
				return nil
			}); err != nil {
			return err
		}
		uab := audience.NewAttrBuilder()
		if err := eachRow(ctx, tx, `SELECT user_seq, key, kind, str, num FROM user_attrs ORDER BY user_seq, key COLLATE "C"`, func(v []any) error {
			return addAttr(uab, uint32(v[0].(int64)), v[1:])
		}); err != nil {
			return err
		}
		cb := audience.NewCompanyBuilder(rowsN)
		if err := eachRow(ctx, tx, `SELECT id, id_fold, company_id_fold, name_fold, plan_fold, industry_fold, website_fold, size, monthly_spend, created_at FROM companies ORDER BY id`,
			func(v []any) error {
				r, err := cb.Add(v[0].(string))
				if err != nil {
					return err
				}
				for i, f := range []audience.CompanyField{audience.CompanyID, audience.CompanyCompanyID, audience.CompanyName, audience.CompanyPlan, audience.CompanyIndustry, audience.CompanyWebsite} {
					if x, ok := v[1+i].(string); ok {
						if err := cb.String(f, r, x); err != nil {
							return err
						}
					}
				}
				for i, f := range []audience.CompanyField{audience.CompanySize, audience.CompanyMonthlySpend, audience.CompanyCreatedAt} {
					var x float64
					switch n := v[7+i].(type) {
					case float64:
						x = n
					case int64:
						x = float64(n)
					default:
						continue
					}
					if err := cb.Number(f, r, x); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
			return err
		}
		if err := eachRow(ctx, tx, `SELECT company_id, key, kind, str, num FROM company_attrs ORDER BY company_id, key COLLATE "C"`, func(v []any) error {
			r, ok := cb.Row(v[0].(string))
			if !ok {
				return nil
			}
			return addAttr(cb.Attrs(), r, v[1:])
		}); err != nil {
			return err
		}
		if err := eachRow(ctx, tx, `SELECT user_seq, company_id FROM memberships ORDER BY user_seq, company_id`, func(v []any) error {
			return cb.Member(v[0].(int64), v[1].(string))
		}); err != nil {
			return err
		}
		cols, err = audience.NewColumns(ub, uab, cb)
		return err
	})
	return gen, cols, err
}

// eachRow runs a query and calls fn with each row's values.
func eachRow(ctx context.Context, tx pgx.Tx, query string, fn func([]any) error) error {
	rows, err := tx.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		v, err := rows.Values()
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// addAttr pushes one attribute row (key, kind, str, num) into b.
func addAttr(b *audience.AttrBuilder, row uint32, v []any) error {
	key, _ := v[0].(string)
	kind, _ := v[1].(string)
	if k := portal.ValueKind(kind); k == portal.KindString {
		if str, ok := v[2].(string); ok {
			return b.String(row, key, str)
		}
	} else if num, ok := v[3].(float64); ok {
		return b.Number(row, key, k, num)
	}
	return nil
}

// Summaries returns the users of seqs, in the same order; a seq without a
// user gives an empty summary (audience.Source).
func (s *Store) Summaries(ctx context.Context, seqs []uint32) ([]portal.UserSummary, error) {
	if len(seqs) == 0 {
		return []portal.UserSummary{}, nil
	}
	ids := make([]int64, len(seqs))
	for i, q := range seqs {
		ids[i] = int64(q)
	}
	rows, err := s.pool.Query(ctx, `SELECT seq, id, coalesce(email, ''), coalesce(name, '') FROM users WHERE seq = ANY($1)`, ids)
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	bySeq := map[uint32]portal.UserSummary{}
	for rows.Next() {
		var seq int64
		var u portal.UserSummary
		if err := rows.Scan(&seq, &u.ID, &u.Email, &u.Name); err != nil {
			return nil, dbError(err)
		}
		bySeq[uint32(seq)] = u
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err)
	}
	out := make([]portal.UserSummary, len(seqs))
	for i, q := range seqs {
		out[i] = bySeq[q]
	}
	return out, nil
}

// seqs returns the user seqs a query selects (its one column).
func (s *Store) seqs(ctx context.Context, query string, args ...any) (*roaring.Bitmap, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	b := roaring.New()
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return nil, dbError(err)
		}
		b.Add(uint32(seq))
	}
	return b, dbError(rows.Err())
}

// CompanyReach reads what the exposure check needs of companies a and b
// (audience.Source).
func (s *Store) CompanyReach(ctx context.Context, a, b string) (audience.Reach, error) {
	var r audience.Reach
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM tickets t WHERE t.company_id = $1 AND `+eligible, b).Scan(&r.Tickets); err != nil {
		return r, dbError(err)
	}
	var err error
	if r.MembersA, err = s.seqs(ctx, `SELECT user_seq FROM memberships WHERE company_id = $1`, a); err != nil {
		return r, err
	}
	if r.MembersB, err = s.seqs(ctx, `SELECT user_seq FROM memberships WHERE company_id = $1`, b); err != nil {
		return r, err
	}
	if r.Creators, err = s.seqs(ctx, `SELECT DISTINCT u.seq FROM tickets t JOIN users u ON u.id = t.creator_id WHERE t.company_id = $1 AND `+eligible, b); err != nil {
		return r, err
	}
	return r, nil
}

// notifiers are the functions NotifyChanges registered.
type notifiers struct {
	mu  sync.Mutex
	fns []func()
}

// NotifyChanges makes the store call fn after every import it commits
// (audience.ChangeNotifier); other replicas' imports are seen by
// Generation.
func (s *Store) NotifyChanges(fn func()) {
	s.notify.mu.Lock()
	s.notify.fns = append(s.notify.fns, fn)
	s.notify.mu.Unlock()
}

// dataChanged tells the notifiers of this store's own import.
func (s *Store) dataChanged() {
	s.notify.mu.Lock()
	fns := append([]func(){}, s.notify.fns...)
	s.notify.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

var (
	_ audience.Source         = (*Store)(nil)
	_ audience.ChangeNotifier = (*Store)(nil)
)
