package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"portalstudio/backend/portal"
)

// This file holds the values the rule builder suggests: AttributeValues
// reads the attribute_values table (migrations 011 and 012), which every
// import keeps in step in its own transaction, so that a suggestion costs
// one short index range whatever the workspace's size. A small import
// takes away the old values of the users and companies it wrote and adds
// their new ones (valueChanges, applyValueChanges): a few index lookups
// per record, where counting everything again took about 4 s at a million
// users. A Replace import, or one that writes more than maxLogged users
// and companies, counts everything again (refreshAttributeValues). Both
// give the same table: TestAttributeValuesIncremental compares them after
// random sequences of imports.

// AttributeValues lists the values of a text attribute that begin with
// prefix (folded), most held first: see portal.Directory.
func (ds *DirectoryStore) AttributeValues(ctx context.Context, attr, prefix string, limit int) ([]portal.ValueCount, error) {
	schema, err := ds.Schema(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := portal.ValueQuery(schema, attr, limit); err != nil {
		return nil, err
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

// maxValues is how many distinct values an attribute may have and still
// be suggested (portal.MaxValueSuggestions; tests lower it).
var maxValues = portal.MaxValueSuggestions

// valueTally is one folded value while it is counted: its holders, and
// the spelling shown for it.
type valueTally struct {
	fold, value string
	holders     int
	best        int // how many hold the spelling shown
	// spellings are the standard attributes' spellings and their holders.
	spellings []spelling
}

type spelling struct {
	value   string
	holders int
}

// refreshAttributeValues fills attribute_values (and attribute_spellings,
// attribute_values_full) again from the data, in the writing transaction:
// call it wherever users, companies or their attributes change in bulk
// (with bumpGeneration).
func refreshAttributeValues(ctx context.Context, tx *sql.Tx) error {
	for _, table := range []string{"attribute_values", "attribute_spellings", "attribute_values_full"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table); err != nil {
			return err
		}
	}
	for _, a := range portal.StandardAttributes() {
		if _, ok := standardTextColumns[a.Name]; ok {
			if err := fillAttribute(ctx, tx, a.Name); err != nil {
				return err
			}
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT scope, key FROM attributes WHERE kind = 'string' ORDER BY scope, key`)
	if err != nil {
		return err
	}
	var custom []string
	for rows.Next() {
		var scope, key string
		if err := rows.Scan(&scope, &key); err != nil {
			rows.Close()
			return err
		}
		custom = append(custom, portal.CustomAttributeName(portal.Scope(scope), key))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, name := range custom {
		if err := fillAttribute(ctx, tx, name); err != nil {
			return err
		}
	}
	return nil
}

// fillAttribute counts the values of one text attribute (standard or
// custom, by rule name) and writes them, or marks the attribute as having
// too many. Its rows must be gone.
func fillAttribute(ctx context.Context, tx *sql.Tx, attr string) error {
	var tallies []*valueTally
	var distinct int
	var err error
	if col, ok := standardTextColumns[attr]; ok {
		tallies, distinct, err = standardValues(ctx, tx, col.table, col.column)
	} else if scope, key, ok := customName(attr); ok {
		tallies, distinct, err = customValues(ctx, tx, scope, key)
	} else {
		return fmt.Errorf("values of %s: not a text attribute", attr)
	}
	if err != nil {
		return fmt.Errorf("values of %s: %w", attr, err)
	}
	if tallies == nil {
		_, err := tx.ExecContext(ctx, `INSERT INTO attribute_values_full (attribute, distinct_min) VALUES (?, ?)`, attr, distinct)
		return err
	}
	return putValues(ctx, tx, attr, tallies)
}

// customName splits the rule name of a custom attribute.
func customName(attr string) (portal.Scope, string, bool) {
	for _, scope := range []portal.Scope{portal.ScopeUser, portal.ScopeCompany} {
		if key, ok := strings.CutPrefix(attr, string(scope)+".custom."); ok && key != "" {
			return scope, key, true
		}
	}
	return "", "", false
}

// fullCount is how far the distinct values of an attribute over the
// limit are counted: the lower bound attribute_values_full keeps.
func fullCount() int { return 2*maxValues + 1 }

// standardValues counts the values of a standard column, or returns nil
// and how many distinct values it counted (more than the limit, at most
// fullCount) when it has more distinct values than are suggested.
// Counting the distinct folded values stops there, so a column of unique
// values (emails) costs a few thousand rows.
func standardValues(ctx context.Context, tx *sql.Tx, table, column string) ([]*valueTally, int, error) {
	var distinct int
	if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM (SELECT DISTINCT %[1]s_fold FROM %[2]s WHERE %[1]s_fold <> '' LIMIT ?)`, column, table),
		fullCount()).Scan(&distinct); err != nil {
		return nil, 0, err
	}
	if distinct > maxValues {
		return nil, distinct, nil
	}
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT %[1]s_fold, %[1]s, count(*) FROM %[2]s WHERE %[1]s_fold <> '' GROUP BY %[1]s_fold, %[1]s`, column, table))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	byFold := map[string]*valueTally{}
	out := []*valueTally{}
	for rows.Next() {
		var fold, value string
		var n int
		if err := rows.Scan(&fold, &value, &n); err != nil {
			return nil, 0, err
		}
		t := byFold[fold]
		if t == nil {
			t = &valueTally{fold: fold}
			byFold[fold] = t
			out = append(out, t)
		}
		t.holders += n
		t.spellings = append(t.spellings, spelling{value, n})
		// The spelling most hold is shown; of equals, the first in
		// byte order (the order of the groups).
		if n > t.best {
			t.value, t.best = value, n
		}
	}
	return out, len(out), rows.Err()
}

// customValues counts the values of a custom text attribute, or returns
// nil and how many distinct values it counted (as standardValues) when it
// has more distinct values than are suggested. The attrs tables keep the
// folded value only (indexed with the key, so the groups stream in order
// and the count stops at fullCount); the spelling shown is that of its
// first holder (customSpelling).
func customValues(ctx context.Context, tx *sql.Tx, scope portal.Scope, key string) ([]*valueTally, int, error) {
	count := `SELECT str, count(*) FROM user_attrs WHERE key = ? AND kind = 'string' AND str <> '' GROUP BY str`
	if scope == portal.ScopeCompany {
		count = `SELECT str, count(*) FROM company_attrs WHERE key = ? AND kind = 'string' AND str <> '' GROUP BY str`
	}
	rows, err := tx.QueryContext(ctx, count, key)
	if err != nil {
		return nil, 0, err
	}
	out := []*valueTally{}
	distinct := 0
	for rows.Next() && distinct < fullCount() {
		distinct++
		if distinct > maxValues {
			continue
		}
		t := &valueTally{}
		if err := rows.Scan(&t.fold, &t.holders); err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if distinct > maxValues {
		return nil, distinct, nil
	}
	sp, err := newCustomSpelling(ctx, tx, scope)
	if err != nil {
		return nil, 0, err
	}
	defer sp.close()
	for _, t := range out {
		if t.value, err = sp.of(key, t.fold); err != nil {
			return nil, 0, err
		}
	}
	return out, distinct, nil
}

// customSpelling reads the spelling shown for a folded value of a custom
// attribute: the first holder's (the lowest user seq, or company id), as
// their custom attributes hold it.
type customSpelling struct {
	ctx  context.Context
	stmt *sql.Stmt
}

func newCustomSpelling(ctx context.Context, tx *sql.Tx, scope portal.Scope) (*customSpelling, error) {
	q := `SELECT u.custom FROM user_attrs a JOIN users u ON u.seq = a.user_seq
		WHERE a.key = ? AND a.kind = 'string' AND a.str = ? ORDER BY a.user_seq LIMIT 1`
	if scope == portal.ScopeCompany {
		q = `SELECT c.custom FROM company_attrs a JOIN companies c ON c.id = a.company_id
			WHERE a.key = ? AND a.kind = 'string' AND a.str = ? ORDER BY a.company_id LIMIT 1`
	}
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return &customSpelling{ctx, stmt}, nil
}

func (sp *customSpelling) close() { sp.stmt.Close() }

func (sp *customSpelling) of(key, fold string) (string, error) {
	var raw string
	if err := sp.stmt.QueryRowContext(sp.ctx, key, fold).Scan(&raw); err != nil {
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

// putValues writes an attribute's counted values (and the standard
// attributes' spellings).
func putValues(ctx context.Context, tx *sql.Tx, attr string, tallies []*valueTally) error {
	if len(tallies) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO attribute_values (attribute, fold, value, holders) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	sp, err := tx.PrepareContext(ctx, `INSERT INTO attribute_spellings (attribute, fold, value, holders) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer sp.Close()
	for _, t := range tallies {
		if _, err := stmt.ExecContext(ctx, attr, t.fold, t.value, t.holders); err != nil {
			return err
		}
		for _, s := range t.spellings {
			if _, err := sp.ExecContext(ctx, attr, t.fold, s.value, s.holders); err != nil {
				return err
			}
		}
	}
	return nil
}

// The incremental path.

type attrFold struct{ attr, fold string }

type attrSpelling struct{ attr, fold, value string }

// valueChanges are the holders an import took from and gave to the values
// of text attributes: -1 for each old value of a user or company it
// wrote (read before its first write), +1 for each value they hold at
// the end. A value that appears with a net change of 0 is still looked
// at again (its spelling shown may have changed).
type valueChanges struct {
	folds     map[attrFold]int
	spellings map[attrSpelling]int // standard attributes only
}

func newValueChanges() *valueChanges {
	return &valueChanges{folds: map[attrFold]int{}, spellings: map[attrSpelling]int{}}
}

// userTextAttrs and companyTextAttrs are the standard text attributes in
// the order valueColumns selects them.
var (
	userTextAttrs    = []string{"user.id", "user.external_id", "user.email", "user.name", "user.role"}
	companyTextAttrs = []string{"company.id", "company.company_id", "company.name", "company.plan", "company.industry", "company.website"}
)

// valueColumns selects the folded and raw columns of attrs.
func valueColumns(attrs []string) string {
	var cols []string
	for _, a := range attrs {
		c := standardTextColumns[a].column
		cols = append(cols, c+"_fold", c)
	}
	return strings.Join(cols, ", ")
}

// standard adds sign to the values of one row of valueColumns(attrs).
func (vc *valueChanges) standard(attrs []string, vals []sql.NullString, sign int) {
	for i, a := range attrs {
		fold, value := vals[2*i], vals[2*i+1]
		if !fold.Valid || fold.String == "" || !value.Valid {
			continue
		}
		vc.folds[attrFold{a, fold.String}] += sign
		vc.spellings[attrSpelling{a, fold.String, value.String}] += sign
	}
}

// custom adds sign to the custom string values rows (key, str) hold.
func (vc *valueChanges) custom(scope portal.Scope, rows *sql.Rows, sign int) error {
	defer rows.Close()
	for rows.Next() {
		var key string
		var str sql.NullString
		if err := rows.Scan(&key, &str); err != nil {
			return err
		}
		if str.Valid && str.String != "" {
			vc.folds[attrFold{portal.CustomAttributeName(scope, key), str.String}] += sign
		}
	}
	return rows.Err()
}

// scanValues scans a row of valueColumns(attrs), after the leading dest.
func scanValues(row interface{ Scan(...any) error }, attrs []string, lead ...any) ([]sql.NullString, error) {
	vals := make([]sql.NullString, 2*len(attrs))
	dest := lead
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	return vals, row.Scan(dest...)
}

// oldUser takes away the values of the user with that id, if there is
// one and the import has not written it yet. It runs before the write.
func (im *importer) oldUser(id string) error {
	var seq int64
	vals, err := scanValues(im.stmts["userOld"].QueryRowContext(im.ctx, id), userTextAttrs, &seq)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("userOld: %w", err)
	}
	if _, seen := im.changed.users[seq]; seen {
		return nil
	}
	im.values.standard(userTextAttrs, vals, -1)
	rows, err := im.stmts["userOldAttrs"].QueryContext(im.ctx, seq)
	if err != nil {
		return err
	}
	return im.values.custom(portal.ScopeUser, rows, -1)
}

// oldCompany does what oldUser does for a company.
func (im *importer) oldCompany(id string) error {
	if _, seen := im.changed.companies[id]; seen {
		return nil
	}
	vals, err := scanValues(im.stmts["companyOld"].QueryRowContext(im.ctx, id), companyTextAttrs)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("companyOld: %w", err)
	}
	im.values.standard(companyTextAttrs, vals, -1)
	rows, err := im.stmts["companyOldAttrs"].QueryContext(im.ctx, id)
	if err != nil {
		return err
	}
	return im.values.custom(portal.ScopeCompany, rows, -1)
}

// collecting reports whether the import keeps the suggested values in
// step as it goes (a listed import), rather than refilling them.
func (im *importer) collecting() bool { return im.values != nil && !im.changed.unlisted }

// newValues adds the values the users and companies ch lists hold now.
func newValues(ctx context.Context, tx *sql.Tx, ch *changes, vc *valueChanges) error {
	if len(ch.users) > 0 {
		list, _ := json.Marshal(slices.Collect(maps.Keys(ch.users)))
		rows, err := tx.QueryContext(ctx, `SELECT `+valueColumns(userTextAttrs)+` FROM users WHERE seq IN (SELECT value FROM json_each(?))`, string(list))
		if err != nil {
			return err
		}
		for rows.Next() {
			vals, err := scanValues(rows, userTextAttrs)
			if err != nil {
				rows.Close()
				return err
			}
			vc.standard(userTextAttrs, vals, +1)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		attrs, err := tx.QueryContext(ctx, `SELECT key, str FROM user_attrs WHERE user_seq IN (SELECT value FROM json_each(?)) AND kind = 'string'`, string(list))
		if err != nil {
			return err
		}
		if err := vc.custom(portal.ScopeUser, attrs, +1); err != nil {
			return err
		}
	}
	if len(ch.companies) > 0 {
		list, _ := json.Marshal(slices.Collect(maps.Keys(ch.companies)))
		rows, err := tx.QueryContext(ctx, `SELECT `+valueColumns(companyTextAttrs)+` FROM companies WHERE id IN (SELECT value FROM json_each(?))`, string(list))
		if err != nil {
			return err
		}
		for rows.Next() {
			vals, err := scanValues(rows, companyTextAttrs)
			if err != nil {
				rows.Close()
				return err
			}
			vc.standard(companyTextAttrs, vals, +1)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		attrs, err := tx.QueryContext(ctx, `SELECT key, str FROM company_attrs WHERE company_id IN (SELECT value FROM json_each(?)) AND kind = 'string'`, string(list))
		if err != nil {
			return err
		}
		if err := vc.custom(portal.ScopeCompany, attrs, +1); err != nil {
			return err
		}
	}
	return nil
}

// applyValueChanges brings attribute_values (and its two helper tables)
// to what refreshAttributeValues would write, given the table as it was
// before the import and vc, the holders the import took and gave.
func applyValueChanges(ctx context.Context, tx *sql.Tx, vc *valueChanges) error {
	byAttr := map[string][]string{} // the folds touched, by attribute
	for k := range vc.folds {
		byAttr[k.attr] = append(byAttr[k.attr], k.fold)
	}
	spellingsOf := map[string][]attrSpelling{}
	for k := range vc.spellings {
		spellingsOf[k.attr] = append(spellingsOf[k.attr], k)
	}
	for _, attr := range slices.Sorted(maps.Keys(byAttr)) {
		folds := byAttr[attr]
		slices.Sort(folds)
		distinctMin := -1 // not over the limit
		err := tx.QueryRowContext(ctx, `SELECT distinct_min FROM attribute_values_full WHERE attribute = ?`, attr).Scan(&distinctMin)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		if distinctMin >= 0 {
			// Its values are not counted: only values losing their
			// last holders can bring it back under the limit. Each
			// value that lost holders may have; once that many could
			// have, it is counted again.
			lost := 0
			for _, f := range folds {
				if vc.folds[attrFold{attr, f}] < 0 {
					lost++
				}
			}
			switch {
			case lost == 0:
			case distinctMin-lost > maxValues:
				_, err = tx.ExecContext(ctx, `UPDATE attribute_values_full SET distinct_min = ? WHERE attribute = ?`, distinctMin-lost, attr)
			default:
				err = refillAttribute(ctx, tx, attr)
			}
			if err != nil {
				return err
			}
			continue
		}
		for _, k := range spellingsOf[attr] {
			d := vc.spellings[k]
			if d == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO attribute_spellings (attribute, fold, value, holders) VALUES (?, ?, ?, ?)
				ON CONFLICT (attribute, fold, value) DO UPDATE SET holders = holders + excluded.holders`, attr, k.fold, k.value, d); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM attribute_spellings WHERE attribute = ? AND fold = ? AND value = ? AND holders <= 0`, attr, k.fold, k.value); err != nil {
				return err
			}
		}
		added := false
		var held []string // the folds touched that still have holders
		for _, f := range folds {
			var cur int
			err := tx.QueryRowContext(ctx, `SELECT holders FROM attribute_values WHERE attribute = ? AND fold = ?`, attr, f).Scan(&cur)
			if err != nil && err != sql.ErrNoRows {
				return err
			}
			n := cur + vc.folds[attrFold{attr, f}]
			switch {
			case n <= 0:
				if cur > 0 {
					if _, err := tx.ExecContext(ctx, `DELETE FROM attribute_values WHERE attribute = ? AND fold = ?`, attr, f); err != nil {
						return err
					}
				}
				continue
			case cur == 0:
				added = true
				_, err = tx.ExecContext(ctx, `INSERT INTO attribute_values (attribute, fold, value, holders) VALUES (?, ?, ?, ?)`, attr, f, f, n)
			case n != cur:
				_, err = tx.ExecContext(ctx, `UPDATE attribute_values SET holders = ? WHERE attribute = ? AND fold = ?`, n, attr, f)
			}
			if err != nil {
				return err
			}
			held = append(held, f)
		}
		if added {
			var distinct int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM attribute_values WHERE attribute = ?`, attr).Scan(&distinct); err != nil {
				return err
			}
			if distinct > maxValues {
				if err := refillAttribute(ctx, tx, attr); err != nil {
					return err
				}
				continue
			}
		}
		if err := respell(ctx, tx, attr, held); err != nil {
			return err
		}
	}
	return nil
}

// respell sets the spelling shown for these folded values of attr, as
// refreshAttributeValues chooses it.
func respell(ctx context.Context, tx *sql.Tx, attr string, folds []string) error {
	if len(folds) == 0 {
		return nil
	}
	_, standard := standardTextColumns[attr]
	var sp *customSpelling
	var key string
	if !standard {
		scope, k, ok := customName(attr)
		if !ok {
			return fmt.Errorf("values of %s: not a text attribute", attr)
		}
		var err error
		if sp, err = newCustomSpelling(ctx, tx, scope); err != nil {
			return err
		}
		defer sp.close()
		key = k
	}
	for _, f := range folds {
		var value string
		var err error
		if standard {
			err = tx.QueryRowContext(ctx, `SELECT value FROM attribute_spellings WHERE attribute = ? AND fold = ? ORDER BY holders DESC, value LIMIT 1`, attr, f).Scan(&value)
		} else {
			value, err = sp.of(key, f)
		}
		if err != nil {
			return fmt.Errorf("the spelling of %s %q: %w", attr, f, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE attribute_values SET value = ? WHERE attribute = ? AND fold = ?`, value, attr, f); err != nil {
			return err
		}
	}
	return nil
}

// clearAttribute removes what the tables hold for attr.
func clearAttribute(ctx context.Context, tx *sql.Tx, attr string) error {
	for _, table := range []string{"attribute_values", "attribute_spellings", "attribute_values_full"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE attribute = ?`, attr); err != nil {
			return err
		}
	}
	return nil
}

// refillAttribute counts one attribute's values again.
func refillAttribute(ctx context.Context, tx *sql.Tx, attr string) error {
	if err := clearAttribute(ctx, tx, attr); err != nil {
		return err
	}
	return fillAttribute(ctx, tx, attr)
}
