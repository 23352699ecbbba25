package postgres

import "context"

// SetVisibleFirst sets how many visible tickets a search reads before the
// GIN index goes first, and returns how to put it back.
func SetVisibleFirst(n int) (restore func()) {
	was := visibleFirst
	visibleFirst = n
	return func() { visibleFirst = was }
}

// CellsDrift returns the cells of ticket_cells that differ from a count
// of the tickets, one per line ("" when they agree).
func CellsDrift(ctx context.Context, s *Store) (string, error) {
	var drift string
	err := s.pool.QueryRow(ctx, `SELECT coalesce(string_agg(format('%s %s %s: %s kept, %s counted', company_id, state_category, type_id,
			coalesce(k.n::text, 'none'), coalesce(r.n::text, 'none')), E'\n'), '')
		FROM ticket_cells k FULL JOIN (
			SELECT company_id, state_category, type_id, count(*) AS n FROM tickets
			WHERE company_id IS NOT NULL AND category = 'Customer' AND is_shared
			GROUP BY company_id, state_category, type_id) r USING (company_id, state_category, type_id)
		WHERE k.n IS DISTINCT FROM r.n`).Scan(&drift)
	return drift, err
}

// VectorTexts returns the text of ticket id's search vector as the store
// holds it, and the text of what PostgreSQL makes of literal, a tsvector
// in its text form.
func VectorTexts(ctx context.Context, s *Store, id, literal string) (stored, parsed string, err error) {
	err = s.pool.QueryRow(ctx, `SELECT coalesce((SELECT search::text FROM tickets WHERE id = $1), 'NULL'), $2::tsvector::text`, id, literal).Scan(&stored, &parsed)
	return stored, parsed, err
}
