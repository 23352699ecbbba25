package sqlite

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/listpage"
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
	companies, err := listpage.Companies(tab, companyIDs)
	return listScope{userID, companies}, err
}

// sees reports whether a portal-eligible ticket is in the scope.
func (s listScope) sees(creator, company string) bool {
	return (s.userID != "" && creator == s.userID) || (company != "" && slices.Contains(s.companies, company))
}

// sqlParams are a statement's arguments, named by number (?1, ?2, …): a
// value bound once serves every source of a list that uses it.
type sqlParams []any

// add binds v and returns its parameter.
func (p *sqlParams) add(v any) string {
	*p = append(*p, v)
	return "?" + strconv.Itoa(len(*p))
}

// filterSQL is a filter as SQL conditions on tickets t; "" for a filter
// not set.
type filterSQL struct {
	state, types, dates string
}

func filterConds(f portal.TicketFilter, p *sqlParams) filterSQL {
	var fs filterSQL
	if len(f.State) > 0 {
		fs.state = anyOf(p, `t.state_category`, f.State)
	}
	if len(f.Types) > 0 {
		fs.types = anyOf(p, `t.type_id`, f.Types)
	}
	fs.dates = datesCond(f, p)
	return fs
}

// datesCond is the filter's creation dates as a condition, "" without
// dates.
func datesCond(f portal.TicketFilter, p *sqlParams) string {
	var dates []string
	if !f.CreatedAfter.IsZero() {
		dates = append(dates, `t.created_at >= `+p.add(listpage.UnixCeil(f.CreatedAfter)))
	}
	if !f.CreatedBefore.IsZero() {
		dates = append(dates, `t.created_at < `+p.add(listpage.UnixCeil(f.CreatedBefore)))
	}
	return strings.Join(dates, ` AND `)
}

// anyOf is "(col = ?i OR col = ?j …)" over vals, the last one repeated up
// to the next power of two terms, so that a handful of statement texts
// serve every list and stay prepared. SQLite tests these terms on the
// index's own columns row by row; an IN (SELECT value FROM json_each(?))
// built and probed a list for every source on every run, which made an
// every-filter page 20 to 70 times slower to read.
func anyOf(p *sqlParams, col string, vals []string) string {
	names := make([]string, len(vals))
	for i, v := range vals {
		names[i] = p.add(v)
	}
	n := 1
	for n < len(vals) {
		n *= 2
	}
	terms := make([]string, n)
	for i := range terms {
		terms[i] = col + ` = ` + names[min(i, len(names)-1)]
	}
	return `(` + strings.Join(terms, ` OR `) + `)`
}

// where returns " AND " before each set condition.
func (fs filterSQL) where() string {
	var sb strings.Builder
	for _, c := range []string{fs.state, fs.types, fs.dates} {
		if c != "" {
			sb.WriteString(` AND ` + c)
		}
	}
	return sb.String()
}

func strArgs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// listTickets returns one page of the shared Customer tickets a user sees
// on a tab that the filter keeps, in its order: on "mine" those they
// created; on "all" those of their companies plus those they created. It
// reads one short index range per company and one for the creator (each
// ordered by the sort key, with the filter's conditions on the index's
// own columns), which SQLite merges; the total and the facets come from
// one grouped count of the tab (facets). The caller decides whether the
// user may see the tab at all.
func (d *DB) listTickets(ctx context.Context, q portal.TicketQuery) (portal.TicketPage, error) {
	page := portal.TicketPage{Tickets: []portal.Ticket{}, Facets: portal.NewFacets()}
	q.Limit = listpage.Limit(q.Limit)
	scope, err := scopeOf(q.UserID, q.CompanyIDs, q.Tab)
	if err != nil {
		return page, err
	}
	cur, err := listpage.DecodeCursor(q.Cursor, q.TicketFilter)
	if err != nil {
		return page, err
	}
	sortKey, order := listpage.Order(q.TicketFilter)
	col, dir, cmp := `t.updated_at`, `DESC`, `<`
	if sortKey == portal.SortCreated {
		col = `t.created_at`
	}
	if order == portal.OrderAsc {
		dir, cmp = `ASC`, `>`
	}
	var p sqlParams
	limit := p.add(q.Limit + 1)
	cond := filterConds(q.TicketFilter, &p).where()
	if cur != nil {
		key, id := p.add(cur.Key), p.add(cur.ID)
		cond += ` AND (` + col + ` ` + cmp + ` ` + key + ` OR (` + col + ` = ` + key + ` AND t.id ` + cmp + ` ` + id + `))`
	}
	// Each source (the creator, each company) reads only the keys of its
	// first Limit+1 tickets from its covering index, all in one statement
	// (a UNION of the sources, each its own ordered, limited scan); the
	// page's tickets are then read whole in one query.
	var sources []string
	source := func(where string) {
		sources = append(sources, `SELECT * FROM (SELECT `+col+`, t.id, t.seq FROM tickets t WHERE `+where+` AND `+portalEligible+cond+
			` ORDER BY `+col+` `+dir+`, t.id `+dir+` LIMIT `+limit+`)`)
	}
	if scope.userID != "" {
		source(`t.creator_id = ` + p.add(scope.userID))
	}
	for _, c := range scope.companies {
		source(`t.company_id = ` + p.add(c))
	}
	// SQLite merges the sources: the first Limit+1 tickets of their
	// union, each once (a ticket its creator's company holds comes from
	// both), in the list's order: 21 rows where each source's own Limit+1
	// came to 84 for the bench's user of five companies.
	var keys []listpage.Key
	var seqs []int64 // each key's ticket's row (seq), read with it
	if len(sources) > 0 {
		rows, err := d.query(ctx, strings.Join(sources, ` UNION `)+` ORDER BY 1 `+dir+`, 2 `+dir+` LIMIT `+limit, p...)
		if err != nil {
			return page, err
		}
		keys, seqs = make([]listpage.Key, 0, q.Limit+1), make([]int64, 0, q.Limit+1)
		var k listpage.Key
		var seq int64
		for rows.Next() {
			if err := rows.Scan(&k.Key, &k.ID, &seq); err != nil {
				rows.Close()
				return page, err
			}
			keys, seqs = append(keys, k), append(seqs, seq)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return page, err
		}
	}
	all := keys
	keys, page.Next = listpage.Page(keys, q.TicketFilter, q.Limit)
	if len(keys) > 0 {
		// By their rows (the sources' indexes hold them), not their ids: a
		// search of the ids' index fewer for every ticket, about 40 of the
		// 250 pages of the workspace a new process reads for a page.
		args := make([]any, len(keys))
		at := make(map[int64]int, len(keys)) // a row's place on the page
		for i, k := range keys {
			j := slices.IndexFunc(all, func(a listpage.Key) bool { return a.ID == k.ID })
			args[i], at[seqs[j]] = seqs[j], i
		}
		// With each ticket its row and its creator's name, as UserNames
		// gives it (one statement fewer for every page).
		rows, err := d.query(ctx, `SELECT `+ticketColumns+`, t.seq, coalesce(u.name, u.email, '') FROM tickets t LEFT JOIN users u ON u.id = t.creator_id
			WHERE t.seq IN (`+placeholders(len(args))+`)`, args...)
		if err != nil {
			return page, err
		}
		page.Tickets = make([]portal.Ticket, len(keys))
		page.CreatorNames = make(map[string]string, len(keys))
		var seq int64
		var name string
		sc := newTicketScanner(&seq, &name)
		for rows.Next() {
			t, err := sc.scan(rows)
			if err != nil {
				rows.Close()
				return page, err
			}
			page.Tickets[at[seq]] = t
			page.CreatorNames[t.CreatorID()] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return page, err
		}
		// A ticket deleted since its key was read leaves no gap.
		page.Tickets = slices.DeleteFunc(page.Tickets, func(t portal.Ticket) bool { return t.ID == "" })
	}
	cells, names, err := d.facetCells(ctx, scope, q.TicketFilter)
	if err != nil {
		return page, err
	}
	page.Facets, page.Total = cells.Facets(q.TicketFilter, names)
	return page, nil
}

// facetCells counts the tickets of the scope per cell: those of the
// companies, plus those the user created outside them (an OR of the two
// would scan the table), each group with how many of its tickets the
// dates keep. Without a date filter the companies' groups are their
// cells (ticket_cells, kept by the tickets' triggers: a few rows however
// many tickets a company holds), all read by one search of its key; with
// one, a grouped scan of each company's facets index, which
// is in (state, type) order, so the groups stream without a sort (a range
// of its creation index, then grouped, took longer when the dates keep
// most of its tickets). The creator's tickets are a grouped scan of the
// creator's index, each read for its company: a user creates few
// tickets, where their companies may hold thousands, which a group
// subtracting the creator's tickets in the companies read one by one
// instead. All in one statement; then the names of the types in the
// cells (typeNames: the workspace's, none for a type it does not know),
// which a join gave at the cost of a search per cell.
func (d *DB) facetCells(ctx context.Context, scope listScope, f portal.TicketFilter) (listpage.Cells, map[string]string, error) {
	var p sqlParams
	dated := datesCond(f, &p)
	if dated == "" {
		dated = `1`
	}
	group := func(where string) string {
		return `SELECT t.state_category AS state, t.type_id AS typ, count(*) AS n, sum(` + dated + `) AS kept FROM tickets t WHERE ` + where +
			` AND ` + portalEligible + ` GROUP BY t.state_category, t.type_id`
	}
	var parts, companies []string
	for _, c := range scope.companies {
		company := p.add(c)
		companies = append(companies, company)
		if dated != `1` {
			parts = append(parts, group(`t.company_id = `+company))
		}
	}
	if dated == `1` && len(companies) > 0 {
		parts = append(parts, `SELECT state_category AS state, type_id AS typ, n, n AS kept FROM ticket_cells WHERE company_id IN (`+strings.Join(companies, `, `)+`)`)
	}
	if scope.userID != "" {
		mine := `t.creator_id = ` + p.add(scope.userID)
		if len(companies) > 0 {
			mine += ` AND (t.company_id IS NULL OR t.company_id NOT IN (` + strings.Join(companies, `, `) + `))`
		}
		parts = append(parts, group(mine))
	}
	cells := listpage.Cells{}
	if len(parts) == 0 {
		return cells, map[string]string{}, nil
	}
	rows, err := d.query(ctx, strings.Join(parts, ` UNION ALL `), p...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n, kept int
		var state, typ string
		if err := rows.Scan(&state, &typ, &n, &kept); err != nil {
			return nil, nil, err
		}
		cells.AddGroup(state, typ, n, kept)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	names, err := d.typeNames(ctx, cells.TypeIDs())
	return cells, names, err
}

// typeNames returns the names of the ticket types with those ids (the
// ones the workspace knows): from the read cache when it is on (a few
// types, read once per change), else read now.
func (d *DB) typeNames(ctx context.Context, ids []string) (map[string]string, error) {
	names := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return names, nil
	}
	if d.cachingReads() {
		all, err := d.cachedTypes(ctx)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if name, ok := all[id]; ok {
				names[id] = name
			}
		}
		return names, nil
	}
	return scanPairs(d.query(ctx, `SELECT id, name FROM ticket_types WHERE id IN (`+placeholders(len(ids))+`)`, strArgs(ids)...))
}
