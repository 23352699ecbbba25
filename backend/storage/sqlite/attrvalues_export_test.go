package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// RefreshAttributeValues refills the suggested values in a transaction of
// its own, as a Replace import does at its end: the benchmarks time it,
// and the tests compare what small imports keep in step with it.
func (ws *Workspace) RefreshAttributeValues(ctx context.Context) error {
	return ws.tx(ctx, func(tx *sql.Tx) error { return refreshAttributeValues(ctx, tx) })
}

// AttributeValuesTables returns every row of the suggested values' tables
// (attribute_values, attribute_spellings, attribute_values_full), one
// line each, in order.
func (ws *Workspace) AttributeValuesTables(ctx context.Context) ([]string, error) {
	var out []string
	for _, q := range []string{
		`SELECT 'value ' || attribute || ' ' || quote(fold) || ' ' || quote(value) || ' ' || holders FROM attribute_values ORDER BY attribute, fold`,
		`SELECT 'spelling ' || attribute || ' ' || quote(fold) || ' ' || quote(value) || ' ' || holders FROM attribute_spellings ORDER BY attribute, fold, value`,
		`SELECT 'full ' || attribute FROM attribute_values_full ORDER BY attribute`,
	} {
		rows, err := ws.db.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		lines, err := scanStrings(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", q, err)
		}
		out = append(out, lines...)
	}
	return out, nil
}

// SetMaxValues changes how many distinct values an attribute may have and
// still be suggested, and returns a function that restores it.
func SetMaxValues(n int) (restore func()) {
	old := maxValues
	maxValues = n
	return func() { maxValues = old }
}

// SetMaxLogged changes how many users and companies an import lists
// before it counts as large, and returns a function that restores it.
func SetMaxLogged(n int) (restore func()) {
	old := maxLogged
	maxLogged = n
	return func() { maxLogged = old }
}
