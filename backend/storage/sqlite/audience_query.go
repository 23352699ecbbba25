package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlrule"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
)

// This file holds the audience of a rule as the studio asks for it: through
// the columns when loaded (columns.go), through indexed SQL otherwise.

// Audience counts the users rule matches at now, and lists the first limit
// of them in workspace order (the order they were first imported). A nil
// rule matches no one.
func (ws *Workspace) Audience(ctx context.Context, rule *portal.Rule, s *portal.Schema, now time.Time, limit int) (int, []portal.UserSummary, error) {
	return ws.AudienceExcept(ctx, rule, nil, s, now, limit)
}

// AudienceExcept is Audience for the users rule matches and except does
// not (a nil except takes no one away).
func (ws *Workspace) AudienceExcept(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time, limit int) (int, []portal.UserSummary, error) {
	set, err := ws.audience(ctx, rule, except, s, now)
	if err != nil {
		return 0, nil, fmt.Errorf("audience: %w", err)
	}
	users, err := ws.summaries(ctx, audience.Head(set, limit))
	if err != nil {
		return 0, nil, fmt.Errorf("audience list: %w", err)
	}
	return int(set.GetCardinality()), users, nil
}

// audience returns the seqs of the users rule matches and except does not
// (nil: no one). It scans the in-memory columns when they are in use and
// match the dataset (columns.go), and otherwise runs the indexed SQL set
// path (audience.go); both give exactly what portal.Eval gives.
func (ws *Workspace) audience(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time) (*roaring.Bitmap, error) {
	return ws.audienceShared(ctx, rule, except, s, now, nil)
}

// audienceShared is audience with the SQL path's sets shared with other
// rules evaluated with the same shared sets (nil: none).
func (ws *Workspace) audienceShared(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time, shared *sharedSets) (*roaring.Bitmap, error) {
	if c := ws.freshColumns(ctx); c != nil {
		if set, err := c.Audience(rule, except, s, now); err == nil {
			return set, nil
		}
		// A condition the columns cannot evaluate: the SQL path says why.
	}
	return ws.audienceSQL(ctx, rule, except, s, now, shared)
}

// audienceSQL is audience by the indexed SQL set path only.
func (ws *Workspace) audienceSQL(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time, shared *sharedSets) (*roaring.Bitmap, error) {
	a := &audienceSet{ws: ws, ctx: ctx, schema: s, now: now, shared: shared}
	set, err := a.eval(rule)
	if err != nil {
		return nil, err
	}
	if except != nil && !set.IsEmpty() {
		minus, err := a.eval(except)
		if err != nil {
			return nil, err
		}
		set.AndNot(minus)
	}
	return set, nil
}

// AudienceIDs returns the ids of every user rule matches, sorted, computed
// by the path Audience uses (the in-memory columns or the indexed SQL set
// path).
func (ws *Workspace) AudienceIDs(ctx context.Context, rule *portal.Rule, s *portal.Schema, now time.Time) ([]string, error) {
	set, err := ws.audience(ctx, rule, nil, s, now)
	if err != nil {
		return nil, err
	}
	return ws.idsOf(ctx, set)
}

// idsOf returns the ids of the users of a set of seqs, sorted.
func (ws *Workspace) idsOf(ctx context.Context, set *roaring.Bitmap) ([]string, error) {
	ids := []string{}
	if set.IsEmpty() {
		return ids, nil
	}
	// The set travels as a JSON array into one query.
	list, err := json.Marshal(set.ToArray())
	if err != nil {
		return nil, err
	}
	rows, err := ws.query(ctx, `SELECT u.id FROM json_each(?) j JOIN users u ON u.seq = j.value ORDER BY u.id`, string(list))
	if err != nil {
		return nil, err
	}
	return scanStrings(rows)
}

// AudienceIDsSQL returns the same ids as AudienceIDs, computed by one SQL
// statement with the rule compiled to a WHERE clause (package sqlrule): the
// portable path a PostgreSQL store will use.
func (ws *Workspace) AudienceIDsSQL(ctx context.Context, rule *portal.Rule, s *portal.Schema, now time.Time) ([]string, error) {
	return ws.audienceIDsWhere(ctx, rule, s, now, false)
}

// audienceIDsWhere is AudienceIDsSQL with company conditions compiled per
// user or not (sqlrule.Compiler.PerUser).
func (ws *Workspace) audienceIDsWhere(ctx context.Context, rule *portal.Rule, s *portal.Schema, now time.Time, perUser bool) ([]string, error) {
	c := sqlrule.Compiler{D: sqlrule.SQLite{}, Now: now, PerUser: perUser}
	where, err := c.Where(rule, s)
	if err != nil {
		return nil, err
	}
	rows, err := ws.query(ctx, `SELECT u.id FROM users u WHERE `+where+` ORDER BY u.id`, c.Args...)
	if err != nil {
		return nil, err
	}
	return scanStrings(rows)
}

func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
