// Package sqlrule compiles audience rules to SQL predicates over the
// workspace tables. Retired: every audience is computed by the audience
// engine (package audience) over a store's audience.Source, in every
// process and for every store; this package is kept only for the SQLite
// store's CountRetiredSQL, which `portalstudio bench` measures one last
// time beside the engine. Delete both after that run; do not build a
// store on it.
//
// The compiled predicate is two-valued (never NULL), so that NOT of a
// condition is exactly the negation of its positive twin, as in the Go
// evaluator (portal.Eval).
package sqlrule

import (
	"fmt"
	"strings"
	"time"

	"portalstudio/backend/portal"
)

// Dialect writes the parts of SQL that differ between databases.
type Dialect interface {
	// Placeholder returns the n-th (1-based) bind parameter, "?n" or "$n";
	// a predicate may use one parameter twice.
	Placeholder(n int) string
	// Contains, StartsWith and EndsWith return a boolean expression that
	// holds when col (folded text, not NULL) contains, starts or ends with
	// the folded text bound at param.
	Contains(col, param string) string
	StartsWith(col, param string) string
	EndsWith(col, param string) string
	// JoinInOrder is the join keyword that keeps the left table first
	// (SQLite's planner follows CROSS JOIN; PostgreSQL's plans a JOIN on
	// its statistics).
	JoinInOrder() string
}

// SQLite is the SQLite dialect.
type SQLite struct{}

func (SQLite) Placeholder(n int) string      { return fmt.Sprintf("?%d", n) }
func (SQLite) JoinInOrder() string           { return "CROSS JOIN" }
func (SQLite) Contains(col, p string) string { return "instr(" + col + ", " + p + ") > 0" }
func (SQLite) StartsWith(col, p string) string {
	return "substr(" + col + ", 1, length(" + p + ")) = " + p
}

// EndsWith: substr(x, -0) is the whole of x, so an empty operand (a value
// that folds to "", such as a lone combining mark) is tested apart: every
// string ends with it, as strings.HasSuffix says.
func (SQLite) EndsWith(col, p string) string {
	return "(length(" + p + ") = 0 OR substr(" + col + ", -length(" + p + ")) = " + p + ")"
}

// Postgres is the PostgreSQL dialect.
type Postgres struct{}

func (Postgres) Placeholder(n int) string      { return fmt.Sprintf("$%d", n) }
func (Postgres) JoinInOrder() string           { return "JOIN" }
func (Postgres) Contains(col, p string) string { return "strpos(" + col + ", " + p + ") > 0" }
func (Postgres) StartsWith(col, p string) string {
	return "left(" + col + ", length(" + p + ")) = " + p
}
func (Postgres) EndsWith(col, p string) string { return "right(" + col + ", length(" + p + ")) = " + p }

// The table layout the compiled SQL reads (see the store's migrations):
//
//	users u (seq, <field>_fold for strings, <field> for dates as Unix seconds)
//	user_attrs (user_seq, key, kind, str, num)       custom user attributes
//	companies c (id, <field>_fold, size, monthly_spend, created_at)
//	company_attrs (company_id, key, kind, str, num)  custom company attributes
//	memberships (user_seq, company_id)
//
// Custom string values are stored folded in str; numbers, booleans (0/1)
// and dates (Unix seconds) in num.

// Compiler compiles rules for one dialect, appending bind arguments as it
// goes. Use a new Compiler per statement.
type Compiler struct {
	D    Dialect
	Now  time.Time
	Args []any
	// UserAlias is the alias of the users table in the enclosing query.
	UserAlias string
	// PerUser compiles company conditions as an EXISTS over the user's
	// own memberships (fast when the query tests a few users) instead of
	// one list of the members of every matching company (fast when it
	// tests them all).
	PerUser bool
}

// Bind appends v to the arguments and returns its placeholder.
func (c *Compiler) Bind(v any) string { return c.bind(v) }

func (c *Compiler) bind(v any) string {
	c.Args = append(c.Args, v)
	return c.D.Placeholder(len(c.Args))
}

// Where returns a predicate over the users table (aliased UserAlias, "u"
// by default) that holds exactly for the users r matches. A nil rule
// matches no one. The rule must have been validated against s.
func (c *Compiler) Where(r *portal.Rule, s *portal.Schema) (string, error) {
	if c.UserAlias == "" {
		c.UserAlias = "u"
	}
	if r == nil {
		return "(1=0)", nil
	}
	return c.node(r, s)
}

func (c *Compiler) node(r *portal.Rule, s *portal.Schema) (string, error) {
	if r.Cond != nil {
		return c.cond(r.Cond, s)
	}
	kids := r.Children()
	if len(kids) == 0 {
		if r.IsAny() {
			return "(1=0)", nil
		}
		return "(1=1)", nil
	}
	parts := make([]string, len(kids))
	for i, k := range kids {
		p, err := c.node(k, s)
		if err != nil {
			return "", err
		}
		parts[i] = p
	}
	sep := " AND "
	if r.IsAny() {
		sep = " OR "
	}
	return "(" + strings.Join(parts, sep) + ")", nil
}

func (c *Compiler) cond(cd *portal.Condition, s *portal.Schema) (string, error) {
	a, ok := s.Lookup(cd.Attribute)
	if !ok {
		return "", portal.Errorf(portal.EINVALID, "unknown attribute %q", cd.Attribute)
	}
	pos, negated := cd.Operator.Positive()
	u := c.UserAlias
	var p string
	var err error
	switch {
	case a.Scope == portal.ScopeUser && !a.Custom:
		p, err = c.pred(a, pos, u+"."+column(a), cd.Value)
	case a.Scope == portal.ScopeUser:
		head := fmt.Sprintf("EXISTS (SELECT 1 FROM user_attrs ua WHERE ua.user_seq = %s.seq AND ua.key = %s AND ua.kind = %s AND ",
			u, c.bind(a.Field), c.bind(string(a.Kind)))
		var inner string
		inner, err = c.pred(a, pos, "ua."+valueColumn(a), cd.Value)
		p = head + inner + ")"
	case !a.Custom && c.PerUser:
		var inner string
		inner, err = c.pred(a, pos, "c."+column(a), cd.Value)
		// The user's memberships first, whatever the planner guesses of
		// the companies.
		p = "EXISTS (SELECT 1 FROM memberships m " + c.D.JoinInOrder() + " companies c ON c.id = m.company_id WHERE m.user_seq = " + u + ".seq AND " + inner + ")"
	case !a.Custom:
		var inner string
		inner, err = c.pred(a, pos, "c."+column(a), cd.Value)
		p = u + ".seq IN (SELECT m.user_seq FROM memberships m JOIN companies c ON c.id = m.company_id WHERE " + inner + ")"
	case c.PerUser:
		head := fmt.Sprintf("EXISTS (SELECT 1 FROM memberships m %s company_attrs ca ON ca.company_id = m.company_id WHERE m.user_seq = %s.seq AND ca.key = %s AND ca.kind = %s AND ",
			c.D.JoinInOrder(), u, c.bind(a.Field), c.bind(string(a.Kind)))
		var inner string
		inner, err = c.pred(a, pos, "ca."+valueColumn(a), cd.Value)
		p = head + inner + ")"
	default:
		head := fmt.Sprintf("%s.seq IN (SELECT m.user_seq FROM memberships m JOIN company_attrs ca ON ca.company_id = m.company_id WHERE ca.key = %s AND ca.kind = %s AND ",
			u, c.bind(a.Field), c.bind(string(a.Kind)))
		var inner string
		inner, err = c.pred(a, pos, "ca."+valueColumn(a), cd.Value)
		p = head + inner + ")"
	}
	if err != nil {
		return "", err
	}
	if negated {
		return "(NOT " + p + ")", nil
	}
	return "(" + p + ")", nil
}

// column returns the column of a standard attribute: the folded copy for
// strings, the value itself for numbers and dates.
func column(a portal.Attribute) string {
	if a.Kind == portal.KindString {
		return a.Field + "_fold"
	}
	return a.Field
}

// valueColumn returns the column of an attribute table holding values of
// a's kind.
func valueColumn(a portal.Attribute) string {
	if a.Kind == portal.KindString {
		return "str"
	}
	return "num"
}

// Pred returns a two-valued predicate applying the positive operator op
// to col, binding the value. A NULL col (unset) makes every positive
// operator false.
func (c *Compiler) Pred(a portal.Attribute, op portal.Operator, col string, want any) (string, error) {
	return c.pred(a, op, col, want)
}

// Column returns the column of a standard attribute: the folded copy for
// strings, the value itself for numbers and dates.
func Column(a portal.Attribute) string { return column(a) }

// ValueColumn returns the column of an attribute table ("str" or "num")
// holding values of a's kind.
func ValueColumn(a portal.Attribute) string { return valueColumn(a) }

// pred returns a two-valued predicate applying the positive operator op to
// col. A NULL col (unset) makes every positive operator false.
func (c *Compiler) pred(a portal.Attribute, op portal.Operator, col string, want any) (string, error) {
	if op == portal.OpIsSet {
		return col + " IS NOT NULL", nil
	}
	bad := func() (string, error) {
		return "", portal.Errorf(portal.EINVALID, "%s cannot be compared with %s %v", a.Name, op, want)
	}
	var test string
	switch a.Kind {
	case portal.KindString:
		w, ok := want.(string)
		if !ok {
			return bad()
		}
		p := c.bind(portal.Fold(w))
		switch op {
		case portal.OpEquals:
			test = col + " = " + p
		case portal.OpContains:
			test = c.D.Contains(col, p)
		case portal.OpStartsWith:
			test = c.D.StartsWith(col, p)
		case portal.OpEndsWith:
			test = c.D.EndsWith(col, p)
		default:
			return bad()
		}
	case portal.KindNumber:
		w, ok := want.(float64)
		if !ok {
			return bad()
		}
		p := c.bind(w)
		switch op {
		case portal.OpEquals:
			test = col + " = " + p
		case portal.OpGreaterThan:
			test = col + " > " + p
		case portal.OpLessThan:
			test = col + " < " + p
		default:
			return bad()
		}
	case portal.KindBoolean:
		w, ok := want.(bool)
		if !ok || op != portal.OpEquals {
			return bad()
		}
		n := 0
		if w {
			n = 1
		}
		test = col + " = " + c.bind(n)
	case portal.KindDate:
		days, ok := want.(float64)
		if !ok {
			return bad()
		}
		p := c.bind(portal.DaysAgo(c.Now, days))
		switch op {
		case portal.OpMoreThanDaysAgo:
			test = col + " < " + p
		case portal.OpLessThanDaysAgo:
			test = col + " > " + p
		default:
			return bad()
		}
	default:
		return bad()
	}
	return "(" + col + " IS NOT NULL AND " + test + ")", nil
}
