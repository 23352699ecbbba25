package sqlite

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"portalstudio/backend/portal"
)

// This file holds a user's portal list: one page of a tab, filtered
// (state, type, creation dates) and sorted (last update or creation,
// either way, ties by id), with the tab's facets; and the pieces the
// search shares (scope, cursors, facets).

// portalEligible is the condition of the tickets a portal lists.
const portalEligible = `t.category = 'Customer' AND t.is_shared = 1`

// listScope is who a tab's tickets belong to: those the user created and,
// on the All tab, those of their companies.
type listScope struct {
	userID    string
	companies []string
}

func scopeOf(userID string, companyIDs []string, tab string) (listScope, error) {
	switch tab {
	case portal.TabAll:
		return listScope{userID, dedupe(companyIDs)}, nil
	case portal.TabMine:
		return listScope{userID: userID}, nil
	}
	return listScope{}, portal.Errorf(portal.EINVALID, "unknown tab %q; use all or mine", tab)
}

// sees reports whether a portal-eligible ticket is in the scope.
func (s listScope) sees(creator, company string) bool {
	return (s.userID != "" && creator == s.userID) || (company != "" && slices.Contains(s.companies, company))
}

// filterSQL is a filter as SQL conditions on tickets t, each with its
// arguments; "" for a filter not set.
type filterSQL struct {
	state, types, dates           string
	stateArgs, typeArgs, dateArgs []any
}

// unixCeil returns the first whole second at or after t: the stored
// times are whole seconds, so created_at >= t is created_at >= unixCeil(t)
// and created_at < t is created_at < unixCeil(t).
func unixCeil(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

func filterConds(f portal.TicketFilter) filterSQL {
	var fs filterSQL
	if len(f.State) > 0 {
		fs.state, fs.stateArgs = `t.state_category IN (SELECT value FROM json_each(?))`, []any{jsonList(f.State)}
	}
	if len(f.Types) > 0 {
		fs.types, fs.typeArgs = `t.type_id IN (SELECT value FROM json_each(?))`, []any{jsonList(f.Types)}
	}
	var dates []string
	if !f.CreatedAfter.IsZero() {
		dates = append(dates, `t.created_at >= ?`)
		fs.dateArgs = append(fs.dateArgs, unixCeil(f.CreatedAfter))
	}
	if !f.CreatedBefore.IsZero() {
		dates = append(dates, `t.created_at < ?`)
		fs.dateArgs = append(fs.dateArgs, unixCeil(f.CreatedBefore))
	}
	fs.dates = strings.Join(dates, ` AND `)
	return fs
}

// where returns " AND " before each set condition, and their arguments.
func (fs filterSQL) where() (string, []any) {
	var sb strings.Builder
	var args []any
	for _, c := range []struct {
		cond string
		args []any
	}{{fs.state, fs.stateArgs}, {fs.types, fs.typeArgs}, {fs.dates, fs.dateArgs}} {
		if c.cond != "" {
			sb.WriteString(` AND ` + c.cond)
			args = append(args, c.args...)
		}
	}
	return sb.String(), args
}

// jsonList is a list as a JSON array, for json_each: one statement text
// whatever the list's length.
func jsonList(ss []string) string {
	b, _ := json.Marshal(ss)
	return string(b)
}

func strArgs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// cursor is the position after the last ticket of a page: its sort key
// and id, and the sort and order it was made for (a cursor of another
// order would skip or repeat tickets). Cursors made before sorts existed
// have neither, and are the default's.
type cursor struct {
	Key   int64  `json:"u"`
	ID    string `json:"i"`
	Sort  string `json:"s,omitempty"`
	Order string `json:"o,omitempty"`
}

// listOrder is the normalised sort and order of a filter.
func listOrder(f portal.TicketFilter) (sortKey, order string) {
	order = portal.OrderDesc
	if f.Ascending() {
		order = portal.OrderAsc
	}
	return f.SortKey(), order
}

func encodeCursor(key int64, id string, f portal.TicketFilter) string {
	s, o := listOrder(f)
	c := cursor{Key: key, ID: id}
	if s != portal.SortUpdated || o != portal.OrderDesc {
		c.Sort, c.Order = s, o
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

var errBadCursor = portal.Errorf(portal.EINVALID, "the page cursor is not valid; start again from the first page")

func decodeCursor(s string, f portal.TicketFilter) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" {
		return nil, errBadCursor
	}
	if c.Sort == "" && c.Order == "" {
		c.Sort, c.Order = portal.SortUpdated, portal.OrderDesc
	}
	if sortKey, order := listOrder(f); c.Sort != sortKey || c.Order != order {
		return nil, portal.Errorf(portal.EINVALID, "the page cursor was made for another sort or order (%s, %s); start again from the first page", c.Sort, c.Order)
	}
	return &c, nil
}

// listTickets returns one page of the shared Customer tickets a user sees
// on a tab that the filter keeps, in its order: on "mine" those they
// created; on "all" those of their companies plus those they created. It
// reads one short index range per company and one for the creator (each
// ordered by the sort key, with the filter's conditions on the index's
// own columns), and merges them; the total and the facets come from one
// grouped count of the tab (facets). The caller decides whether the user
// may see the tab at all.
func (d *DB) listTickets(ctx context.Context, q portal.TicketQuery) (portal.TicketPage, error) {
	page := portal.TicketPage{Tickets: []portal.Ticket{}, Facets: portal.NewFacets()}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 20
	}
	scope, err := scopeOf(q.UserID, q.CompanyIDs, q.Tab)
	if err != nil {
		return page, err
	}
	cur, err := decodeCursor(q.Cursor, q.TicketFilter)
	if err != nil {
		return page, err
	}
	sortKey, order := listOrder(q.TicketFilter)
	col, dir, cmp := `t.updated_at`, `DESC`, `<`
	if sortKey == portal.SortCreated {
		col = `t.created_at`
	}
	if order == portal.OrderAsc {
		dir, cmp = `ASC`, `>`
	}
	cond, condArgs := filterConds(q.TicketFilter).where()
	if cur != nil {
		cond += ` AND (` + col + ` ` + cmp + ` ? OR (` + col + ` = ? AND t.id ` + cmp + ` ?))`
		condArgs = append(condArgs, cur.Key, cur.Key, cur.ID)
	}
	// Each source (the creator, each company) reads only the keys of its
	// first Limit+1 tickets from its covering index, all in one statement
	// (a UNION ALL of the sources, each its own ordered, limited scan); the
	// merged page's tickets are then read whole in one query.
	type key struct {
		key int64
		id  string
	}
	var sources []string
	var args []any
	source := func(where string, arg any) {
		sources = append(sources, `SELECT * FROM (SELECT `+col+`, t.id FROM tickets t WHERE `+where+` AND `+portalEligible+cond+
			` ORDER BY `+col+` `+dir+`, t.id `+dir+` LIMIT ?)`)
		args = append(append(append(args, arg), condArgs...), q.Limit+1)
	}
	if scope.userID != "" {
		source(`t.creator_id = ?`, scope.userID)
	}
	for _, c := range scope.companies {
		source(`t.company_id = ?`, c)
	}
	seen := map[string]bool{}
	var merged []key
	if len(sources) > 0 {
		rows, err := d.query(ctx, strings.Join(sources, ` UNION ALL `), args...)
		if err != nil {
			return page, err
		}
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.key, &k.id); err != nil {
				rows.Close()
				return page, err
			}
			if !seen[k.id] {
				seen[k.id] = true
				merged = append(merged, k)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return page, err
		}
	}
	// The sort key, then the id, both in the list's direction.
	slices.SortFunc(merged, func(a, b key) int {
		c := compareKeys(a.key, a.id, b.key, b.id)
		if order == portal.OrderDesc {
			return -c
		}
		return c
	})
	if len(merged) > q.Limit {
		merged = merged[:q.Limit]
		last := merged[len(merged)-1]
		page.Next = encodeCursor(last.key, last.id, q.TicketFilter)
	}
	if len(merged) > 0 {
		args := make([]any, len(merged))
		for i, k := range merged {
			args[i] = k.id
		}
		rows, err := d.query(ctx, `SELECT `+ticketColumns+` FROM tickets t WHERE t.id IN (`+placeholders(len(args))+`)`, args...)
		if err != nil {
			return page, err
		}
		byID := make(map[string]portal.Ticket, len(merged))
		for rows.Next() {
			t, err := scanTicket(rows)
			if err != nil {
				rows.Close()
				return page, err
			}
			byID[t.ID] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return page, err
		}
		for _, k := range merged {
			page.Tickets = append(page.Tickets, byID[k.id])
		}
	}
	cells, err := d.facetCells(ctx, scope, q.TicketFilter)
	if err != nil {
		return page, err
	}
	page.Facets, page.Total, err = d.facets(ctx, cells, q.TicketFilter)
	return page, err
}

func compareKeys(ak int64, aid string, bk int64, bid string) int {
	switch {
	case ak < bk:
		return -1
	case ak > bk:
		return 1
	}
	return strings.Compare(aid, bid)
}

// cell is a group of a tab's tickets: their state category, type id and
// whether the filter's creation dates keep them.
type cell struct {
	state, typ string
	dated      bool
}

// facetCells counts the tickets of the scope per cell: created + of the
// companies − both (an OR of the two would scan the table). Each company
// is one grouped scan of its facets index, which is in (state, type)
// order, so the groups stream without a sort; each group says how many of
// its tickets the dates keep. All in one statement.
func (d *DB) facetCells(ctx context.Context, scope listScope, f portal.TicketFilter) (map[cell]int, error) {
	fs := filterConds(f)
	dated, datedArgs := `1`, []any(nil)
	if fs.dates != "" {
		dated, datedArgs = fs.dates, fs.dateArgs
	}
	group := func(sign, where string) string {
		return `SELECT ` + sign + `, t.state_category, t.type_id, count(*), sum(` + dated + `) FROM tickets t WHERE ` + where +
			` AND ` + portalEligible + ` GROUP BY t.state_category, t.type_id`
	}
	var parts []string
	var args []any
	if scope.userID != "" {
		parts = append(parts, group(`1`, `t.creator_id = ?`))
		args = append(append(args, datedArgs...), scope.userID)
	}
	for _, c := range scope.companies {
		parts = append(parts, group(`1`, `t.company_id = ?`))
		args = append(append(args, datedArgs...), c)
	}
	if scope.userID != "" && len(scope.companies) > 0 {
		parts = append(parts, group(`-1`, `t.creator_id = ? AND t.company_id IN (`+placeholders(len(scope.companies))+`)`))
		args = append(append(append(args, datedArgs...), scope.userID), strArgs(scope.companies)...)
	}
	cells := map[cell]int{}
	if len(parts) == 0 {
		return cells, nil
	}
	rows, err := d.query(ctx, strings.Join(parts, ` UNION ALL `), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sign, n, kept int
		var state, typ string
		if err := rows.Scan(&sign, &state, &typ, &n, &kept); err != nil {
			return nil, err
		}
		cells[cell{state, typ, true}] += sign * kept
		cells[cell{state, typ, false}] += sign * (n - kept)
	}
	return cells, rows.Err()
}

// facets returns the facets of a tab's cells under the filter (each facet
// with the other filters applied) and how many tickets the whole filter
// keeps. A type's name is the workspace's name of that ticket type.
func (d *DB) facets(ctx context.Context, cells map[cell]int, f portal.TicketFilter) (portal.Facets, int, error) {
	fc := portal.NewFacets()
	total := 0
	counts := map[string]int{}
	for c, n := range cells {
		if n == 0 {
			continue
		}
		stateOK := len(f.State) == 0 || slices.Contains(f.State, c.state)
		typeOK := len(f.Types) == 0 || slices.Contains(f.Types, c.typ)
		if c.typ != "" {
			counts[c.typ] += 0 // every type of the tab is listed
		}
		if !c.dated {
			continue
		}
		if stateOK && typeOK {
			total += n
		}
		if _, ok := fc.State[c.state]; ok && typeOK {
			fc.State[c.state] += n
		}
		if stateOK && c.typ != "" {
			counts[c.typ] += n
		}
	}
	if len(counts) == 0 {
		return fc, total, nil
	}
	ids := make([]string, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	names, err := d.typeNames(ctx, ids)
	if err != nil {
		return fc, total, err
	}
	for _, id := range ids {
		fc.Types = append(fc.Types, portal.TypeCount{ID: id, Name: names[id], Count: counts[id]})
	}
	fc.SortTypes()
	return fc, total, nil
}

// typeNames returns the names of the ticket types with those ids (the
// ones the workspace knows).
func (d *DB) typeNames(ctx context.Context, ids []string) (map[string]string, error) {
	names := make(map[string]string, len(ids))
	rows, err := d.query(ctx, `SELECT id, name FROM ticket_types WHERE id IN (`+placeholders(len(ids))+`)`, strArgs(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		names[id] = name
	}
	return names, rows.Err()
}
