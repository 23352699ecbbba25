package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"portalstudio/backend/portal"
)

// This file holds the values the rule builder suggests: AttributeValues
// reads the attribute_values table (migration 009), which every import
// refills in its own transaction (refreshAttributeValues), so that a
// suggestion costs one short index range whatever the workspace's size.

// AttributeValues lists the values of a text attribute that begin with
// prefix (folded), most held first: see portal.Directory.
func (ds *DirectoryStore) AttributeValues(ctx context.Context, attr, prefix string, limit int) ([]portal.ValueCount, error) {
	if limit < 1 || limit > 100 {
		return nil, portal.Errorf(portal.EINVALID, "ask for 1 to 100 values, not %d", limit)
	}
	schema, err := ds.Schema(ctx)
	if err != nil {
		return nil, err
	}
	a, ok := schema.Lookup(attr)
	if !ok {
		return nil, portal.Errorf(portal.EINVALID, "this workspace has no attribute %q; pick one of its attributes", attr)
	}
	if a.Kind != portal.KindString {
		return nil, portal.Errorf(portal.EINVALID, "%s holds %ss, not text: only text attributes have suggested values", a.Label, a.Kind)
	}
	lo := portal.Fold(prefix)
	// Every folded value that begins with lo sorts at or after lo and
	// before lo followed by the greatest code point.
	hi := lo + string(utf8.MaxRune)
	rows, err := ds.query(ctx, `SELECT value, holders FROM attribute_values
		WHERE attribute = ? AND fold >= ? AND fold < ? ORDER BY holders DESC, fold LIMIT ?`, attr, lo, hi, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []portal.ValueCount{}
	for rows.Next() {
		var v portal.ValueCount
		if err := rows.Scan(&v.Value, &v.Count); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

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

// valueTally is one folded value while it is counted: its holders, and
// the spelling shown for it.
type valueTally struct {
	fold, value string
	holders     int
	best        int // how many hold the spelling shown
}

// refreshAttributeValues fills attribute_values again from the data, in
// the writing transaction: call it wherever users, companies or their
// attributes change (with bumpGeneration).
func refreshAttributeValues(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM attribute_values`); err != nil {
		return err
	}
	for _, a := range portal.StandardAttributes() {
		col, ok := standardTextColumns[a.Name]
		if !ok {
			continue
		}
		tallies, err := standardValues(ctx, tx, col.table, col.column)
		if err != nil {
			return fmt.Errorf("values of %s: %w", a.Name, err)
		}
		if err := putValues(ctx, tx, a.Name, tallies); err != nil {
			return err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT scope, key FROM attributes WHERE kind = 'string' ORDER BY scope, key`)
	if err != nil {
		return err
	}
	var custom [][2]string
	for rows.Next() {
		var scope, key string
		if err := rows.Scan(&scope, &key); err != nil {
			rows.Close()
			return err
		}
		custom = append(custom, [2]string{scope, key})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range custom {
		tallies, err := customValues(ctx, tx, portal.Scope(c[0]), c[1])
		if err != nil {
			return fmt.Errorf("values of %s: %w", portal.CustomAttributeName(portal.Scope(c[0]), c[1]), err)
		}
		if err := putValues(ctx, tx, portal.CustomAttributeName(portal.Scope(c[0]), c[1]), tallies); err != nil {
			return err
		}
	}
	return nil
}

// standardValues counts the values of a standard column, or returns nil
// when it has more distinct values than are suggested. Counting the
// distinct folded values stops at the first one past the limit, so a
// column of unique values (emails) costs a few thousand rows.
func standardValues(ctx context.Context, tx *sql.Tx, table, column string) ([]*valueTally, error) {
	var distinct int
	if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM (SELECT DISTINCT %[1]s_fold FROM %[2]s WHERE %[1]s_fold <> '' LIMIT ?)`, column, table),
		portal.MaxValueSuggestions+1).Scan(&distinct); err != nil {
		return nil, err
	}
	if distinct > portal.MaxValueSuggestions {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT %[1]s_fold, %[1]s, count(*) FROM %[2]s WHERE %[1]s_fold <> '' GROUP BY %[1]s_fold, %[1]s`, column, table))
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
		// The spelling most hold is the one shown.
		if n > t.best {
			t.value, t.best = value, n
		}
	}
	return out, rows.Err()
}

// customValues counts the values of a custom text attribute, or returns
// nil when it has more distinct values than are suggested. The attrs
// tables keep the folded value only (indexed with the key, so the groups
// stream in order and the count stops past the limit); the spelling shown
// is one holder's, read from their custom attributes.
func customValues(ctx context.Context, tx *sql.Tx, scope portal.Scope, key string) ([]*valueTally, error) {
	count := `SELECT str, count(*) FROM user_attrs WHERE key = ? AND kind = 'string' AND str <> '' GROUP BY str`
	spelling := `SELECT u.custom FROM user_attrs a JOIN users u ON u.seq = a.user_seq WHERE a.key = ? AND a.kind = 'string' AND a.str = ? LIMIT 1`
	if scope == portal.ScopeCompany {
		count = `SELECT str, count(*) FROM company_attrs WHERE key = ? AND kind = 'string' AND str <> '' GROUP BY str`
		spelling = `SELECT c.custom FROM company_attrs a JOIN companies c ON c.id = a.company_id WHERE a.key = ? AND a.kind = 'string' AND a.str = ? LIMIT 1`
	}
	rows, err := tx.QueryContext(ctx, count, key)
	if err != nil {
		return nil, err
	}
	var out []*valueTally
	for rows.Next() {
		if len(out) == portal.MaxValueSuggestions {
			rows.Close()
			return nil, nil
		}
		t := &valueTally{}
		if err := rows.Scan(&t.fold, &t.holders); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	stmt, err := tx.PrepareContext(ctx, spelling)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	for _, t := range out {
		var raw string
		if err := stmt.QueryRowContext(ctx, key, t.fold).Scan(&raw); err != nil {
			return nil, err
		}
		var custom map[string]portal.Value
		if err := json.Unmarshal([]byte(raw), &custom); err != nil {
			return nil, err
		}
		t.value = t.fold
		if v := custom[key]; v.Kind == portal.KindString && portal.Fold(v.Str) == t.fold {
			t.value = v.Str
		}
	}
	return out, nil
}

// putValues writes an attribute's counted values.
func putValues(ctx context.Context, tx *sql.Tx, attr string, tallies []*valueTally) error {
	if len(tallies) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO attribute_values (attribute, fold, value, holders) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, t := range tallies {
		if _, err := stmt.ExecContext(ctx, attr, t.fold, t.value, t.holders); err != nil {
			return err
		}
	}
	return nil
}
