package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"math/bits"
	"time"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlrule"
)

// The first users a rule matches, in seq order (the order every list of
// an audience is in), without computing the whole audience: a list needs
// fifty users, not the million behind its count.
//
//   - On the in-memory columns, the users are tested a word (64 users) at
//     a time in seq order with the rule's cheapest conditions first, up
//     to a budget of users; a rule that rare computes its whole set
//     instead.
//   - On SQL, a condition the trigram index (or the email index) answers
//     drives: its candidates come in seq order, a batch at a time, and
//     the whole rule, compiled to one WHERE clause, is tested on each
//     batch through the primary keys; a rule without such a condition, or
//     too rare among its candidates, computes its whole set instead.
//
// Either way the answer is exactly the first users of the whole set (the
// property tests compare them).

// The bounds of the first-users paths (variables for the tests):
// the columns' scan tests up to rows/firstScanDiv users (at least
// firstScanMin) before it computes the whole set; the SQL path
// tests its driving condition's candidates in batches of 2n (at least
// firstBatchMin), four times larger each time, up to firstDriveMax
// candidates before it computes the whole set.
var (
	firstScanDiv  = 8
	firstScanMin  = 4096
	firstBatchMin = 64
	firstDriveMax = 20_000
)

// AudienceFirst returns the first limit users (in seq order) rule matches
// and except does not (nil: no one), exactly the list AudienceExcept
// returns, without counting them.
func (ws *Workspace) AudienceFirst(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time, limit int) ([]UserSummary, error) {
	if limit <= 0 {
		return []UserSummary{}, nil
	}
	if c := ws.freshColumns(ctx); c != nil {
		if seqs, err := c.first(rule, except, s, now, limit); err == nil {
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

// firstOf returns the first n elements of a set.
func firstOf(set *roaring.Bitmap, n int) []uint32 {
	out := make([]uint32, 0, min(n, int(set.GetCardinality())))
	it := set.Iterator()
	for it.HasNext() && len(out) < n {
		out = append(out, it.Next())
	}
	return out
}

// wordTest returns which users of a word of seqs a rule holds for: the
// bits of mask (the users of word wi to test) for which it holds.
type wordTest func(wi int, mask uint64) uint64

// tester prepares r to be tested a word of users at a time, with exactly
// eval's semantics (a nil rule matches no one).
func (e *colEval) tester(r *portal.Rule) (wordTest, error) {
	if r == nil {
		return func(int, uint64) uint64 { return 0 }, nil
	}
	if r.Cond != nil {
		l, err := e.leaf(r.Cond)
		if err != nil {
			return nil, err
		}
		test := l.rowTest()
		word := func(wi int, mask uint64) uint64 {
			var out uint64
			for m := mask; m != 0; m &= m - 1 {
				j := bits.TrailingZeros64(m)
				out |= b2u(test(uint32(wi*64+j))) << j
			}
			return out
		}
		if l.comp {
			word = l.companyWord(word)
		}
		if l.negated {
			return func(wi int, mask uint64) uint64 { return mask &^ word(wi, mask) }, nil
		}
		return word, nil
	}
	kids := e.rowOrder(r.Children())
	tests := make([]wordTest, len(kids))
	for i, k := range kids {
		t, err := e.tester(k)
		if err != nil {
			return nil, err
		}
		tests[i] = t
	}
	if r.IsAny() {
		return func(wi int, mask uint64) uint64 {
			var out uint64
			for _, t := range tests {
				if mask == 0 {
					break
				}
				b := t(wi, mask)
				out |= b
				mask &^= b
			}
			return out
		}, nil
	}
	return func(wi int, mask uint64) uint64 {
		for _, t := range tests {
			if mask == 0 {
				break
			}
			mask = t(wi, mask)
		}
		return mask
	}, nil
}

// rowTest returns the test of the leaf's positive operator for one user.
func (l *leaf) rowTest() func(u uint32) bool {
	col := l.str
	if !l.comp && col != nil && l.sp.op != 'p' && (col.codes8 != nil || col.codes16 != nil) {
		// A dictionary column: which codes hold, decided once.
		table := col.dictTable(l.sp)
		if col.codes8 != nil {
			return func(u uint32) bool { i, ok := col.pos(u); return ok && table[col.codes8[i]] }
		}
		return func(u uint32) bool { i, ok := col.pos(u); return ok && table[col.codes16[i]] }
	}
	return l.test
}

// companyWord returns the word test of a company condition: user by user
// (one) for a few users, and otherwise the users' first companies a word
// at a time without branches on the outcome, then the others of the users
// with more.
func (l *leaf) companyWord(one wordTest) wordTest {
	c, cs := l.e.c, l.cset
	return func(wi int, mask uint64) uint64 {
		if bits.OnesCount64(mask) < 8 {
			return one(wi, mask)
		}
		var acc uint64
		lo, hi := wi*64, min(c.rows, wi*64+64)
		for j, x := range c.memFirst[lo:hi] {
			acc |= (cs[x>>6] >> (x & 63) & 1) << uint(j)
		}
		acc &= mask
		if rest := mask &^ acc & c.memHasMore[wi]; rest != 0 {
			acc |= one(wi, rest)
		}
		return acc
	}
}

// rowOrder sorts a group's children by how cheap they are to test for
// one user: a number, a dictionary code or a company's bit before
// comparing strings, substrings last, groups after conditions.
func (e *colEval) rowOrder(kids []*portal.Rule) []*portal.Rule { return e.orderBy(kids, &rowCost) }

// first returns the first n users rule matches and except does not,
// testing them a word at a time in seq order; past rows/firstScanDiv users it
// computes the whole set instead.
func (c *columns) first(rule, except *portal.Rule, s *portal.Schema, now time.Time, n int) ([]uint32, error) {
	e := &colEval{c: c, s: s, now: now}
	if err := e.checkAll(rule, except); err != nil {
		return nil, err
	}
	match, err := e.tester(rule)
	if err != nil {
		return nil, err
	}
	var minus wordTest
	if except != nil {
		if minus, err = e.tester(except); err != nil {
			return nil, err
		}
	}
	budget := max(c.rows/firstScanDiv, firstScanMin)
	out := make([]uint32, 0, n)
	for wi, w := range c.all {
		if wi*64 >= budget {
			set, err := c.audience(rule, except, s, now)
			if err != nil {
				return nil, err
			}
			return firstOf(set, n), nil
		}
		m := match(wi, w)
		if minus != nil && m != 0 {
			m &^= minus(wi, m)
		}
		for ; m != 0; m &= m - 1 {
			out = append(out, uint32(wi*64+bits.TrailingZeros64(m)))
			if len(out) == n {
				return out, nil
			}
		}
	}
	return out, nil
}

// firstSQL returns the first n users rule matches and except does not, by
// SQL: a driving condition's candidates in seq order, batch by batch, each
// batch tested by the rule compiled to one WHERE clause (company
// conditions over each candidate's own memberships); or the head of the
// whole set.
func (ws *Workspace) firstSQL(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time, n int) ([]UserSummary, error) {
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
		out := make([]UserSummary, 0, n)
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
				var u UserSummary
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
	return ws.summaries(ctx, firstOf(set, n))
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
