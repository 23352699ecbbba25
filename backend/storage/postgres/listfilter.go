package postgres

import (
	"fmt"
	"strings"
	"time"

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

// facetsQuery is the grouped count of a tab per cell (listpage.Cells):
// per state category and type, the tickets of the tab (n) and those the
// date filter keeps (kept), each group with its type's name as the
// workspace knows it, in one statement. The companies' tickets are a sum
// of their cells (ticket_cells, kept by every import: a few rows a
// company, however many tickets it holds). With a date filter, what it
// keeps of them is counted over ranges of the companies' creation-order
// index (index-only): the window itself when it has an "after" bound; for
// "created before" alone, the cells less those created since that bound,
// toward the newest ticket, which reads few entries for the dates
// customers set (older than a recent date), where the window read most
// of a large company's tickets. The tickets the user created in no such
// company are counted over the creator's index. All are added up: an OR
// of the sources would read every ticket of the tab from the table.
func facetsQuery(userID string, companies []string, f portal.TicketFilter) (string, []any) {
	args := []any{userID, companies}
	var conds []string
	cellsKept, counted := `n`, ``
	param := func(at time.Time) string {
		args = append(args, listpage.UnixCeil(at))
		return fmt.Sprintf(`$%d::bigint`, len(args))
	}
	count := func(sign, where string) {
		counted += `
			UNION ALL
			SELECT t.state_category, t.type_id, 0, ` + sign + `count(*) FROM tickets t
			WHERE t.company_id = ANY($2::text[]) AND ` + eligible + ` AND ` + where + `
			GROUP BY t.state_category, t.type_id`
	}
	var after, before string
	if !f.CreatedAfter.IsZero() {
		after = param(f.CreatedAfter)
		conds = append(conds, `t.created_at >= `+after)
	}
	if !f.CreatedBefore.IsZero() {
		before = param(f.CreatedBefore)
		conds = append(conds, `t.created_at < `+before)
	}
	switch {
	case after != "": // the window
		cellsKept = `0`
		count(``, strings.Join(conds, ` AND `))
	case before != "": // all, less those since the bound
		count(`-`, `t.created_at >= `+before)
	}
	dated := `true`
	if len(conds) > 0 {
		dated = strings.Join(conds, ` AND `)
	}
	return `SELECT g.state_category, g.type_id, coalesce(tt.name, ''), g.n, g.kept FROM (
		SELECT c.state_category, c.type_id, sum(c.n)::bigint AS n, sum(c.kept)::bigint AS kept FROM (
			SELECT state_category, type_id, n, ` + cellsKept + ` AS kept FROM ticket_cells WHERE company_id = ANY($2::text[])` + counted + `
			UNION ALL
			SELECT t.state_category, t.type_id, count(*), count(*) FILTER (WHERE ` + dated + `) FROM tickets t
			WHERE t.creator_id = $1 AND ` + eligible + ` AND (t.company_id IS NULL OR t.company_id <> ALL($2::text[]))
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
		cells.AddGroup(state, typ, n, kept)
		names[typ] = name
	}
	return cells, names, dbError(rows.Err())
}
