package postgres

import (
	"context"
	"fmt"
	"strings"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/listpage"
)

// This file holds the filter of a portal list and its search (state,
// type, creation dates) as SQL, and the grouped counts of a tab its
// facets are made of. The cursors, the order and the facets themselves
// are the stores' shared ones (package listpage).

// filterWhere returns the filter's conditions on tickets t, each after
// " AND ", numbering its parameters from $next, and their arguments.
func filterWhere(f portal.TicketFilter, next int) (string, []any) {
	var sb strings.Builder
	var args []any
	add := func(cond string, arg any) {
		sb.WriteString(fmt.Sprintf(cond, next+len(args)))
		args = append(args, arg)
	}
	if len(f.State) > 0 {
		add(` AND t.state_category = ANY($%d::text[])`, f.State)
	}
	if len(f.Types) > 0 {
		add(` AND t.type_id = ANY($%d::text[])`, f.Types)
	}
	if !f.CreatedAfter.IsZero() {
		add(` AND t.created_at >= $%d::bigint`, listpage.UnixCeil(f.CreatedAfter))
	}
	if !f.CreatedBefore.IsZero() {
		add(` AND t.created_at < $%d::bigint`, listpage.UnixCeil(f.CreatedBefore))
	}
	return sb.String(), args
}

// facetCells counts the tickets of a tab per cell, in one grouped query.
func (s *Store) facetCells(ctx context.Context, userID string, companies []string, f portal.TicketFilter) (listpage.Cells, error) {
	dated, args := `true`, []any{userID, companies}
	if !f.CreatedAfter.IsZero() || !f.CreatedBefore.IsZero() {
		var conds []string
		if !f.CreatedAfter.IsZero() {
			conds = append(conds, fmt.Sprintf(`t.created_at >= $%d::bigint`, len(args)+1))
			args = append(args, listpage.UnixCeil(f.CreatedAfter))
		}
		if !f.CreatedBefore.IsZero() {
			conds = append(conds, fmt.Sprintf(`t.created_at < $%d::bigint`, len(args)+1))
			args = append(args, listpage.UnixCeil(f.CreatedBefore))
		}
		dated = strings.Join(conds, ` AND `)
	}
	rows, err := s.pool.Query(ctx, `SELECT t.state_category, t.type_id, count(*), count(*) FILTER (WHERE `+dated+`)
		FROM tickets t WHERE (t.creator_id = $1 OR t.company_id = ANY($2::text[])) AND `+eligible+`
		GROUP BY t.state_category, t.type_id`, args...)
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	cells := listpage.Cells{}
	for rows.Next() {
		var state, typ string
		var n, kept int
		if err := rows.Scan(&state, &typ, &n, &kept); err != nil {
			return nil, dbError(err)
		}
		cells.AddGroup(state, typ, n, kept, 1)
	}
	return cells, dbError(rows.Err())
}

// typeNames returns the names of the ticket types with those ids (the
// ones the workspace knows).
func (s *Store) typeNames(ctx context.Context, ids []string) (map[string]string, error) {
	names := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return names, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id, name FROM ticket_types WHERE id = ANY($1::text[])`, ids)
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, dbError(err)
		}
		names[id] = name
	}
	return names, dbError(rows.Err())
}
