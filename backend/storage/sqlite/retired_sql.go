package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlrule"
)

// The retired SQL audience path: each condition of a rule is one indexed
// query (trigram index for text, B-tree indexes for numbers, dates and
// custom attributes, memberships for company conditions), and the groups
// combine the sets in memory. Every audience is now computed by the
// audience engine (package audience); this path is kept only so that
// `portalstudio bench` can print its figure beside the engine's one last
// time, on the same data and rule. Delete it, with package sqlrule, after
// that run.

// CountRetiredSQL counts the users rule matches at now by the retired SQL set
// path (see above): for the bench's comparison only.
func (ws *Workspace) CountRetiredSQL(ctx context.Context, rule *portal.Rule, s *portal.Schema, now time.Time) (int, error) {
	a := &audienceSet{ws: ws, ctx: ctx, schema: s, now: now}
	set, err := a.eval(rule)
	if err != nil {
		return 0, err
	}
	return int(set.GetCardinality()), nil
}

// audienceSet evaluates rule to the set of seqs of the users it matches.
type audienceSet struct {
	ws     *Workspace
	ctx    context.Context
	schema *portal.Schema
	now    time.Time
	all    *roaring.Bitmap // every user, loaded on first need
}

// universe returns every user (never change it).
func (a *audienceSet) universe() (*roaring.Bitmap, error) {
	if a.all != nil {
		return a.all, nil
	}
	// Three queries: min and max alone are one B-tree descent each, and
	// count alone counts pages; together they would read every row.
	var lo, hi, n int64
	for _, q := range []struct {
		sql string
		v   *int64
	}{{`SELECT coalesce(min(seq), 0) FROM users`, &lo}, {`SELECT coalesce(max(seq), 0) FROM users`, &hi}, {`SELECT count(*) FROM users`, &n}} {
		if err := a.ws.db.QueryRowContext(a.ctx, q.sql).Scan(q.v); err != nil {
			return nil, err
		}
	}
	if n == 0 {
		a.all = roaring.New()
	} else if hi-lo+1 == n {
		a.all = roaring.New()
		a.all.AddRange(uint64(lo), uint64(hi)+1)
	} else {
		b, err := a.ws.seqs(a.ctx, `SELECT seq AS s FROM users`)
		if err != nil {
			return nil, err
		}
		a.all = b
	}
	return a.all, nil
}

func (a *audienceSet) eval(r *portal.Rule) (*roaring.Bitmap, error) {
	if r == nil {
		return roaring.New(), nil
	}
	if r.Cond != nil {
		return a.cond(r.Cond)
	}
	kids := r.Children()
	if r.IsAny() {
		out := roaring.New()
		for _, k := range kids {
			b, err := a.eval(k)
			if err != nil {
				return nil, err
			}
			out.Or(b)
		}
		return out, nil
	}
	if len(kids) == 0 {
		u, err := a.universe()
		if err != nil {
			return nil, err
		}
		return u.Clone(), nil
	}
	// Evaluate the likely cheapest and most selective conditions first;
	// once few candidates are left, test the other conditions on those
	// candidates only instead of computing their whole sets.
	var out *roaring.Bitmap
	for _, k := range a.order(kids) {
		var b *roaring.Bitmap
		var err error
		if out != nil && k.Cond != nil && out.GetCardinality() <= filterMax {
			b, err = a.condWithin(k.Cond, out)
		} else {
			b, err = a.eval(k)
		}
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = b
		} else {
			out.And(b)
		}
		if out.IsEmpty() {
			break
		}
	}
	return out, nil
}

// order sorts a group's children by cost.
func (a *audienceSet) order(kids []*portal.Rule) []*portal.Rule {
	out := append([]*portal.Rule(nil), kids...)
	sort.SliceStable(out, func(i, j int) bool { return a.cost(out[i]) < a.cost(out[j]) })
	return out
}

// filterMax is the most candidates for which a condition is tested on the
// candidates instead of computed over all users.
var filterMax uint64 = 50_000

// cost ranks a node by how cheap and selective its query is likely to be:
// index equality first, then long substrings, short substrings and
// ranges, company conditions (a join over memberships), groups last.
func (a *audienceSet) cost(r *portal.Rule) int {
	if r.Cond == nil {
		return 10
	}
	attr, ok := a.schema.Lookup(r.Cond.Attribute)
	if !ok {
		return 0
	}
	op, _ := r.Cond.Operator.Positive()
	w, _ := r.Cond.Value.(string)
	n := utf8.RuneCountInString(portal.Fold(w))
	switch {
	case attr.Scope == portal.ScopeCompany:
		return 6
	case op == portal.OpIsSet:
		return 7
	case attr.Custom && op == portal.OpEquals:
		return 1
	case attr.Custom:
		return 4
	case attr.Kind != portal.KindString:
		return 4
	case op == portal.OpEquals && attr.Field == "email":
		return 0
	case n >= 6:
		return 2
	case n >= 3:
		return 3
	}
	return 5
}

// condWithin evaluates one condition for the candidates only.
func (a *audienceSet) condWithin(c *portal.Condition, cand *roaring.Bitmap) (*roaring.Bitmap, error) {
	attr, ok := a.schema.Lookup(c.Attribute)
	if !ok {
		return nil, portal.Errorf(portal.EINVALID, "unknown attribute %q", c.Attribute)
	}
	pos, negated := c.Operator.Positive()
	list, err := json.Marshal(cand.ToArray())
	if err != nil {
		return nil, err
	}
	q, args, err := a.leafQueryWithin(attr, pos, c.Value, string(list))
	if err != nil {
		return nil, err
	}
	b, err := a.ws.seqs(a.ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c, err)
	}
	if negated {
		return roaring.AndNot(cand, b), nil
	}
	return b, nil
}

func (a *audienceSet) cond(c *portal.Condition) (*roaring.Bitmap, error) {
	attr, ok := a.schema.Lookup(c.Attribute)
	if !ok {
		return nil, portal.Errorf(portal.EINVALID, "unknown attribute %q", c.Attribute)
	}
	pos, negated := c.Operator.Positive()
	compute := func() (*roaring.Bitmap, error) {
		q, args, err := a.leafQuery(attr, pos, c.Value)
		if err != nil {
			return nil, err
		}
		b, err := a.ws.seqs(a.ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c, err)
		}
		return b, nil
	}
	b, err := compute()
	if err != nil {
		return nil, err
	}
	if negated {
		u, err := a.universe()
		if err != nil {
			return nil, err
		}
		return roaring.AndNot(u, b), nil
	}
	return b, nil
}

// trigramOps are the string operators the trigram index can narrow down.
var trigramOps = map[portal.Operator]bool{portal.OpEquals: true, portal.OpContains: true, portal.OpStartsWith: true, portal.OpEndsWith: true}

// leafQuery returns the query that lists the seqs of the users for whom
// the positive operator op holds.
func (a *audienceSet) leafQuery(attr portal.Attribute, op portal.Operator, want any) (string, []any, error) {
	return a.leafQueryWithin(attr, op, want, "")
}

// leafQueryWithin is leafQuery limited to the users whose seqs the JSON
// array within lists ("" for all users). The candidates drive the query
// through the primary keys.
func (a *audienceSet) leafQueryWithin(attr portal.Attribute, op portal.Operator, want any, within string) (string, []any, error) {
	c := &sqlrule.Compiler{D: sqlrule.SQLite{}, Now: a.now}
	if within != "" {
		in := c.Bind(within)
		pred, err := c.Pred(attr, op, leafColumn(attr), want)
		if err != nil {
			return "", nil, err
		}
		// CROSS JOIN keeps SQLite's join order: the candidates first, each
		// looked up by primary key.
		from := `json_each(` + in + `) j CROSS JOIN `
		switch {
		case attr.Scope == portal.ScopeUser && !attr.Custom:
			return `SELECT u.seq AS s FROM ` + from + `users u ON u.seq = j.value WHERE ` + pred, c.Args, nil
		case attr.Scope == portal.ScopeUser:
			return `SELECT ua.user_seq AS s FROM ` + from + `user_attrs ua ON ua.user_seq = j.value AND ua.key = ` + c.Bind(attr.Field) +
				` WHERE ua.kind = ` + c.Bind(string(attr.Kind)) + ` AND ` + pred, c.Args, nil
		case !attr.Custom:
			return `SELECT DISTINCT m.user_seq AS s FROM ` + from + `memberships m ON m.user_seq = j.value CROSS JOIN companies c ON c.id = m.company_id WHERE ` + pred, c.Args, nil
		default:
			return `SELECT DISTINCT m.user_seq AS s FROM ` + from + `memberships m ON m.user_seq = j.value CROSS JOIN company_attrs ca ON ca.company_id = m.company_id AND ca.key = ` +
				c.Bind(attr.Field) + ` WHERE ca.kind = ` + c.Bind(string(attr.Kind)) + ` AND ` + pred, c.Args, nil
		}
	}
	switch {
	case attr.Scope == portal.ScopeUser && !attr.Custom:
		col := sqlrule.Column(attr)
		if w, ok := want.(string); ok && attr.Kind == portal.KindString && trigramOps[op] {
			folded := portal.Fold(w)
			if op == portal.OpEquals && col == "email_fold" {
				pred, err := c.Pred(attr, op, "u."+col, want)
				return `SELECT u.seq AS s FROM users u WHERE ` + pred, c.Args, err
			}
			if utf8.RuneCountInString(folded) >= 3 {
				match := c.Bind("{" + col + "} : " + ftsString(folded))
				pred, err := c.Pred(attr, op, "u."+col, want)
				return `SELECT u.seq AS s FROM user_trgm t JOIN users u ON u.seq = t.rowid WHERE user_trgm MATCH ` + match + ` AND ` + pred, c.Args, err
			}
		}
		pred, err := c.Pred(attr, op, "u."+col, want)
		return `SELECT u.seq AS s FROM users u WHERE ` + pred, c.Args, err
	case attr.Scope == portal.ScopeUser:
		key, kind := c.Bind(attr.Field), c.Bind(string(attr.Kind))
		pred, err := c.Pred(attr, op, "ua."+sqlrule.ValueColumn(attr), want)
		return `SELECT ua.user_seq AS s FROM user_attrs ua WHERE ua.key = ` + key + ` AND ua.kind = ` + kind + ` AND ` + pred, c.Args, err
	case !attr.Custom:
		pred, err := c.Pred(attr, op, "c."+sqlrule.Column(attr), want)
		// CROSS JOIN keeps the companies first: SQLite would otherwise
		// walk every membership and look its company up (five times
		// slower at 1,000,000 users).
		return `SELECT m.user_seq AS s FROM companies c CROSS JOIN memberships m ON m.company_id = c.id WHERE ` + pred, c.Args, err
	default:
		key, kind := c.Bind(attr.Field), c.Bind(string(attr.Kind))
		pred, err := c.Pred(attr, op, "ca."+sqlrule.ValueColumn(attr), want)
		return `SELECT m.user_seq AS s FROM company_attrs ca JOIN memberships m ON m.company_id = ca.company_id WHERE ca.key = ` + key + ` AND ca.kind = ` + kind + ` AND ` + pred, c.Args, err
	}
}

// leafColumn returns the aliased column a condition on attr reads.
func leafColumn(attr portal.Attribute) string {
	switch {
	case attr.Scope == portal.ScopeUser && !attr.Custom:
		return "u." + sqlrule.Column(attr)
	case attr.Scope == portal.ScopeUser:
		return "ua." + sqlrule.ValueColumn(attr)
	case !attr.Custom:
		return "c." + sqlrule.Column(attr)
	}
	return "ca." + sqlrule.ValueColumn(attr)
}

// ftsString quotes s as one FTS5 string.
func ftsString(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
