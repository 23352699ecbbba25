package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlrule"
)

// The first users a rule matches, in seq order (the order every list of
// an audience is in), without computing the whole audience: a list needs
// fifty users, not the million behind its count.
//
//   - On the in-memory columns, the audience engine's First (package
//     audience) tests the users a word at a time.
//   - On SQL, a condition the trigram index (or the email index) answers
//     drives: its candidates come in seq order, a batch at a time, and
//     the whole rule, compiled to one WHERE clause, is tested on each
//     batch through the primary keys; a rule without such a condition, or
//     too rare among its candidates, computes its whole set instead.
//
// Either way the answer is exactly the first users of the whole set (the
// property tests compare them).

// The bounds of the SQL first-users path (variables for the tests): it
// tests its driving condition's candidates in batches of 2n (at least
// firstBatchMin), four times larger each time, up to firstDriveMax
// candidates before it computes the whole set.
var (
	firstBatchMin = 64
	firstDriveMax = 20_000
)

// AudienceFirst returns the first limit users (in seq order) rule matches
// and except does not (nil: no one), exactly the list AudienceExcept
// returns, without counting them.
func (ws *Workspace) AudienceFirst(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time, limit int) ([]portal.UserSummary, error) {
	if limit <= 0 {
		return []portal.UserSummary{}, nil
	}
	if c := ws.freshColumns(ctx); c != nil {
		if seqs, err := c.First(rule, except, s, now, limit); err == nil {
			return ws.summaries(ctx, seqs)
		}
		// A condition the columns cannot evaluate: the SQL path says why.
	}
	users, err := ws.firstSQL(ctx, rule, except, s, now, limit)
	if err != nil {
		return nil, fmt.Errorf("audience: %w", err)
	}
	return users, nil
}

// firstSQL returns the first n users rule matches and except does not, by
// SQL: a driving condition's candidates in seq order, batch by batch, each
// batch tested by the rule compiled to one WHERE clause (company
// conditions over each candidate's own memberships); or the head of the
// whole set.
func (ws *Workspace) firstSQL(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time, n int) ([]portal.UserSummary, error) {
	a := &audienceSet{ws: ws, ctx: ctx, schema: s, now: now}
	if drive, driveArgs, ok := a.driver(rule); ok {
		c := &sqlrule.Compiler{D: sqlrule.SQLite{}, Now: now, PerUser: true}
		cands, candArg := c.Bind(""), len(c.Args)-1
		where, err := c.Where(rule, s)
		if err != nil {
			return nil, err
		}
		if except != nil {
			x, err := c.Where(except, s)
			if err != nil {
				return nil, err
			}
			// The compiled rule is true exactly for the users it matches,
			// and false or NULL for the others.
			where += ` AND NOT coalesce(` + x + `, 0)`
		}
		lim, limArg := c.Bind(0), len(c.Args)-1
		query := `SELECT u.id, coalesce(u.email, ''), coalesce(u.name, '') FROM json_each(` + cands + `) j CROSS JOIN users u ON u.seq = j.value WHERE ` +
			where + ` ORDER BY u.seq LIMIT ` + lim
		out := make([]portal.UserSummary, 0, n)
		last, size, tested := int64(-1), max(2*n, firstBatchMin), 0
		for tested < firstDriveMax {
			cand, err := ws.seqs(ctx, drive+` AND s > ? ORDER BY s LIMIT ?`, append(driveArgs, last, size)...)
			if err != nil {
				return nil, err
			}
			if cand.IsEmpty() {
				return out, nil
			}
			list, err := json.Marshal(cand.ToArray())
			if err != nil {
				return nil, err
			}
			c.Args[candArg], c.Args[limArg] = string(list), n-len(out)
			rows, err := ws.db.QueryContext(ctx, query, c.Args...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var u portal.UserSummary
				if err := rows.Scan(&u.ID, &u.Email, &u.Name); err != nil {
					rows.Close()
					return nil, err
				}
				out = append(out, u)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
			if len(out) == n || int(cand.GetCardinality()) < size {
				return out, nil
			}
			tested += size
			last, size = int64(cand.Maximum()), min(size*4, max(firstDriveMax-tested, 1))
		}
	}
	set, err := ws.audienceSQL(ctx, rule, except, s, now, nil)
	if err != nil {
		return nil, err
	}
	return ws.summaries(ctx, audience.Head(set, n))
}

// driver returns a query of the seqs (column s) of a superset of the
// users rule matches, which an index yields in seq order: a condition of
// the rule (or of its top "all" group) on a user's own string that the
// trigram index, or the email index, answers. ok is false when there is
// none.
func (a *audienceSet) driver(rule *portal.Rule) (string, []any, bool) {
	var conds []*portal.Condition
	switch {
	case rule == nil:
	case rule.Cond != nil:
		conds = []*portal.Condition{rule.Cond}
	case !rule.IsAny():
		for _, k := range rule.Children() {
			if k.Cond != nil {
				conds = append(conds, k.Cond)
			}
		}
	}
	best, bestLen := "", 0
	var bestArgs []any
	for _, cd := range conds {
		attr, ok := a.schema.Lookup(cd.Attribute)
		w, isStr := cd.Value.(string)
		if !ok || !isStr || attr.Scope != portal.ScopeUser || attr.Custom || attr.Kind != portal.KindString || !trigramOps[cd.Operator] {
			continue
		}
		folded := portal.Fold(w)
		col, n := sqlrule.Column(attr), utf8.RuneCountInString(folded)
		switch {
		case cd.Operator == portal.OpEquals && col == "email_fold":
			// The most selective there is.
			return `SELECT seq AS s FROM users WHERE email_fold = ?`, []any{folded}, true
		case n >= 3 && n > bestLen:
			best, bestLen = `SELECT rowid AS s FROM user_trgm WHERE user_trgm MATCH ?`, n
			bestArgs = []any{"{" + col + "} : " + ftsString(folded)}
		}
	}
	return best, bestArgs, best != ""
}
