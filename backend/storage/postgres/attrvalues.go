package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"portalstudio/backend/portal"
)

// standardTextColumns are the tables and columns of the standard text
// attributes, by rule name: each has its folded copy, <column>_fold.
var standardTextColumns = map[string]struct{ table, column string }{
	"user.id":            {"users", "id"},
	"user.external_id":   {"users", "external_id"},
	"user.email":         {"users", "email"},
	"user.name":          {"users", "name"},
	"user.role":          {"users", "role"},
	"company.id":         {"companies", "id"},
	"company.company_id": {"companies", "company_id"},
	"company.name":       {"companies", "name"},
	"company.plan":       {"companies", "plan"},
	"company.industry":   {"companies", "industry"},
	"company.website":    {"companies", "website"},
}

// valueTally is one folded value while it is counted.
type valueTally struct {
	fold, value string
	holders     int
	best        int // how many hold the spelling shown
}

// AttributeValues lists the values of a text attribute that begin with
// prefix (folded), most held first: see portal.Directory. The values are
// grouped by their folded form (a GROUP BY over the attribute's column or
// its custom rows); an attribute with more than MaxValueSuggestions
// distinct values lists none.
func (s *Store) AttributeValues(ctx context.Context, attr, prefix string, limit int) ([]portal.ValueCount, error) {
	schema, err := s.Schema(ctx)
	if err != nil {
		return nil, err
	}
	a, err := portal.ValueQuery(schema, attr, limit)
	if err != nil {
		return nil, err
	}
	var tallies []*valueTally
	if col, ok := standardTextColumns[attr]; ok {
		tallies, err = s.standardValues(ctx, col.table, col.column)
	} else if !a.Custom {
		return []portal.ValueCount{}, nil
	} else {
		tallies, err = s.customValues(ctx, a.Scope, a.Field)
	}
	if err != nil {
		return nil, dbError(fmt.Errorf("values of %s: %w", attr, err))
	}
	lo := portal.Fold(prefix)
	var keep []*valueTally
	for _, t := range tallies {
		if strings.HasPrefix(t.fold, lo) {
			keep = append(keep, t)
		}
	}
	sort.Slice(keep, func(i, j int) bool {
		if keep[i].holders != keep[j].holders {
			return keep[i].holders > keep[j].holders
		}
		return keep[i].fold < keep[j].fold
	})
	if len(keep) > limit {
		keep = keep[:limit]
	}
	out := []portal.ValueCount{}
	for _, t := range keep {
		if t.value == "" {
			if t.value, err = s.customSpelling(ctx, a.Scope, a.Field, t.fold); err != nil {
				return nil, dbError(err)
			}
		}
		out = append(out, portal.ValueCount{Value: t.value, Count: t.holders})
	}
	return out, nil
}

// standardValues counts the values of a standard column, or returns nil
// when it has more distinct values than are suggested.
func (s *Store) standardValues(ctx context.Context, table, column string) ([]*valueTally, error) {
	var distinct int
	if err := s.pool.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM (SELECT DISTINCT %[1]s_fold FROM %[2]s WHERE %[1]s_fold <> '' LIMIT $1) d`, column, table),
		portal.MaxValueSuggestions+1).Scan(&distinct); err != nil {
		return nil, err
	}
	if distinct > portal.MaxValueSuggestions {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, fmt.Sprintf(`SELECT %[1]s_fold, %[1]s, count(*) FROM %[2]s WHERE %[1]s_fold <> '' GROUP BY %[1]s_fold, %[1]s`, column, table))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byFold := map[string]*valueTally{}
	var out []*valueTally
	for rows.Next() {
		var fold, value string
		var n int
		if err := rows.Scan(&fold, &value, &n); err != nil {
			return nil, err
		}
		t := byFold[fold]
		if t == nil {
			t = &valueTally{fold: fold}
			byFold[fold] = t
			out = append(out, t)
		}
		t.holders += n
		// The spelling most hold is the one shown (the first in byte
		// order among equals).
		if n > t.best || (n == t.best && value < t.value) {
			t.value, t.best = value, n
		}
	}
	return out, rows.Err()
}

// customValues counts the folded values of a custom text attribute, or
// returns nil when it has more distinct values than are suggested. The
// spelling shown is read later, for the values listed only.
func (s *Store) customValues(ctx context.Context, scope portal.Scope, key string) ([]*valueTally, error) {
	q := `SELECT str, count(*) FROM user_attrs WHERE key = $1 AND kind = 'string' AND str <> '' GROUP BY str`
	if scope == portal.ScopeCompany {
		q = `SELECT str, count(*) FROM company_attrs WHERE key = $1 AND kind = 'string' AND str <> '' GROUP BY str`
	}
	rows, err := s.pool.Query(ctx, q, key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*valueTally
	for rows.Next() {
		if len(out) == portal.MaxValueSuggestions {
			return nil, nil
		}
		t := &valueTally{}
		if err := rows.Scan(&t.fold, &t.holders); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// customSpelling returns one holder's spelling of a folded custom value.
func (s *Store) customSpelling(ctx context.Context, scope portal.Scope, key, fold string) (string, error) {
	q := `SELECT u.custom FROM user_attrs a JOIN users u ON u.seq = a.user_seq WHERE a.key = $1 AND a.kind = 'string' AND a.str = $2 ORDER BY u.seq LIMIT 1`
	if scope == portal.ScopeCompany {
		q = `SELECT c.custom FROM company_attrs a JOIN companies c ON c.id = a.company_id WHERE a.key = $1 AND a.kind = 'string' AND a.str = $2 ORDER BY c.id LIMIT 1`
	}
	var raw string
	if err := s.pool.QueryRow(ctx, q, key, fold).Scan(&raw); err != nil {
		return "", err
	}
	var custom map[string]portal.Value
	if err := json.Unmarshal([]byte(raw), &custom); err != nil {
		return "", err
	}
	if v := custom[key]; v.Kind == portal.KindString && portal.Fold(v.Str) == fold {
		return v.Str, nil
	}
	return fold, nil
}
