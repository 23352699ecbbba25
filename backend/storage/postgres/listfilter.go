package postgres

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/listpage"
)

// This file holds the filter of a portal list and its search (state,
// type, creation dates) as SQL, and the grouped counts of a tab its
// facets are made of (with the types' names). The cursors, the order and the facets themselves
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

// facetsQuery is the grouped count of a tab per cell (listpage.Cells),
// each group with its type's name as the workspace knows it: one
// statement, the names joined to the groups. The tickets of the companies
// are counted over their facets index and those the user created in no
// such company over the creator's index, both index-only scans, then
// added up: an OR of the two read every ticket of the tab from the table.
func facetsQuery(userID string, companies []string, f portal.TicketFilter) (string, []any) {
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
	counts := `SELECT t.state_category, t.type_id, count(*) AS n, count(*) FILTER (WHERE ` + dated + `) AS kept FROM tickets t WHERE `
	return `SELECT g.state_category, g.type_id, coalesce(tt.name, ''), g.n, g.kept FROM (
		SELECT c.state_category, c.type_id, sum(c.n)::bigint AS n, sum(c.kept)::bigint AS kept FROM (
			` + counts + `t.company_id = ANY($2::text[]) AND ` + eligible + ` GROUP BY t.state_category, t.type_id
			UNION ALL
			` + counts + `t.creator_id = $1 AND ` + eligible + ` AND (t.company_id IS NULL OR t.company_id <> ALL($2::text[]))
			GROUP BY t.state_category, t.type_id) c
		GROUP BY c.state_category, c.type_id) g
		LEFT JOIN ticket_types tt ON tt.id = g.type_id`, args
}

// scanFacets reads facetsQuery's rows: the cells and the types' names.
func scanFacets(rows pgx.Rows) (listpage.Cells, map[string]string, error) {
	defer rows.Close()
	cells, names := listpage.Cells{}, map[string]string{}
	for rows.Next() {
		var state, typ, name string
		var n, kept int
		if err := rows.Scan(&state, &typ, &name, &n, &kept); err != nil {
			return nil, nil, dbError(err)
		}
		cells.AddGroup(state, typ, n, kept, 1)
		names[typ] = name
	}
	return cells, names, dbError(rows.Err())
}
