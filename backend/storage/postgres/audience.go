package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/jackc/pgx/v5"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
)

// Audiences on PostgreSQL are computed by the audience engine (package
// audience) over columns read from the database through the engine's
// builders, in one repeatable-read snapshot together with the dataset's
// generation. Every import bumps the generation in its own transaction;
// before each audience the store reads the generation (one row) and, when
// another replica imported meanwhile, reads the columns again before it
// answers: never an answer from stale data.

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

// colState holds the columns of the generation last read.
type colState struct {
	mu  sync.Mutex
	gen string
	cur *audience.Columns
}

func (s *Store) closeColumns() {
	s.cols.mu.Lock()
	s.cols.cur, s.cols.gen = nil, ""
	s.cols.mu.Unlock()
}

// dataChanged drops the columns after this store's own import.
func (s *Store) dataChanged() { s.closeColumns() }

// columns returns the columns of the dataset as it is now: those held
// when their generation is the database's, else read anew.
func (s *Store) columns(ctx context.Context) (*audience.Columns, error) {
	gen, err := generation(ctx, s.pool)
	if err != nil {
		return nil, dbError(err)
	}
	s.cols.mu.Lock()
	defer s.cols.mu.Unlock()
	if s.cols.cur != nil && s.cols.gen == gen {
		return s.cols.cur, nil
	}
	g, c, err := s.readColumns(ctx)
	if err != nil {
		return nil, dbError(fmt.Errorf("read the audience columns: %w", err))
	}
	s.cols.gen, s.cols.cur = g, c
	return c, nil
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

// Audience counts the users rule matches at now and lists the first limit
// of them in workspace order.
func (s *Store) Audience(ctx context.Context, rule *portal.Rule, sch *portal.Schema, now time.Time, limit int) (int, []portal.UserSummary, error) {
	c, err := s.columns(ctx)
	if err != nil {
		return 0, nil, err
	}
	set, err := c.Audience(rule, nil, sch, now)
	if err != nil {
		return 0, nil, fmt.Errorf("audience: %w", err)
	}
	users, err := s.summaries(ctx, audience.Head(set, limit))
	return int(set.GetCardinality()), users, err
}

// AudienceFirst returns the first limit users rule matches and except
// does not.
func (s *Store) AudienceFirst(ctx context.Context, rule, except *portal.Rule, sch *portal.Schema, now time.Time, limit int) ([]portal.UserSummary, error) {
	if limit <= 0 {
		return []portal.UserSummary{}, nil
	}
	c, err := s.columns(ctx)
	if err != nil {
		return nil, err
	}
	seqs, err := c.First(rule, except, sch, now, limit)
	if err != nil {
		return nil, fmt.Errorf("audience: %w", err)
	}
	return s.summaries(ctx, seqs)
}

// PortalSets returns who has access under st and who of them is
// restricted, at now.
func (s *Store) PortalSets(ctx context.Context, st *portal.Settings, sch *portal.Schema, now time.Time) (audience.PortalSets, error) {
	c, err := s.columns(ctx)
	if err != nil {
		return audience.PortalSets{}, err
	}
	return audience.SetsOf(st, func(r *portal.Rule) (*roaring.Bitmap, error) { return c.Audience(r, nil, sch, now) })
}

// Impact compares the users' states under before and after.
func (s *Store) Impact(ctx context.Context, before, after *portal.Settings, sch *portal.Schema, now time.Time) (*audience.Impact, error) {
	c, err := s.columns(ctx)
	if err != nil {
		return nil, err
	}
	of := func(r *portal.Rule) (*roaring.Bitmap, error) { return c.Audience(r, nil, sch, now) }
	b, err := audience.SetsOf(before, of)
	if err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	a, err := audience.SetsOf(after, of)
	if err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return nil, dbError(err)
	}
	return audience.NewImpact(n, b, a), nil
}

// ImpactUsers returns limit users of an impact group from offset, in
// workspace order, with their states.
func (s *Store) ImpactUsers(ctx context.Context, im *audience.Impact, group string, offset, limit int) ([]portal.ImpactUser, error) {
	out := []portal.ImpactUser{}
	seqs, err := im.Page(group, offset, limit)
	if err != nil || len(seqs) == 0 {
		return out, err
	}
	users, err := s.summaries(ctx, seqs)
	if err != nil {
		return nil, err
	}
	for i, u := range users {
		before, after := im.States(seqs[i])
		out = append(out, portal.ImpactUser{ID: u.ID, Email: u.Email, Name: u.Name, Before: before, After: after})
	}
	return out, nil
}

// summaries returns the users of seqs, in the same order.
func (s *Store) summaries(ctx context.Context, seqs []uint32) ([]portal.UserSummary, error) {
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

// Summaries returns the first limit users of a set, in workspace order.
func (s *Store) Summaries(ctx context.Context, set *roaring.Bitmap, limit int) ([]portal.UserSummary, error) {
	return s.summaries(ctx, audience.Head(set, limit))
}

// UserSeq returns the seq of the user with that id, or ENOTFOUND.
func (s *Store) UserSeq(ctx context.Context, id string) (uint32, error) {
	var seq int64
	err := s.pool.QueryRow(ctx, `SELECT seq FROM users WHERE id = $1`, id).Scan(&seq)
	if err == pgx.ErrNoRows {
		return 0, portal.Errorf(portal.ENOTFOUND, "no user has the id %q", id)
	}
	return uint32(seq), dbError(err)
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

// CompanyExposure finds, with sets, the users of company a who see a
// portal ticket of company b under sets p (audience.ExposureOf).
func (s *Store) CompanyExposure(ctx context.Context, p audience.PortalSets, a, b string) (audience.Exposure, error) {
	var tickets int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM tickets t WHERE t.company_id = $1 AND `+eligible, b).Scan(&tickets); err != nil {
		return audience.Exposure{}, dbError(err)
	}
	membersA, err := s.seqs(ctx, `SELECT user_seq FROM memberships WHERE company_id = $1`, a)
	if err != nil {
		return audience.Exposure{}, err
	}
	var membersB *roaring.Bitmap
	if tickets > 0 {
		if membersB, err = s.seqs(ctx, `SELECT user_seq FROM memberships WHERE company_id = $1`, b); err != nil {
			return audience.Exposure{}, err
		}
	}
	creators, err := s.seqs(ctx, `SELECT DISTINCT u.seq FROM tickets t JOIN users u ON u.id = t.creator_id WHERE t.company_id = $1 AND `+eligible, b)
	if err != nil {
		return audience.Exposure{}, err
	}
	return audience.ExposureOf(p, membersA, membersB, creators, tickets), nil
}
