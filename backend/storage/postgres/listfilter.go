package postgres

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"portalstudio/backend/portal"
)

// This file holds what a portal list and its search share: the filter
// (state, type, creation dates) as SQL, the cursors (the SQLite store's
// format, with the sort and order they were made for), and the facets.

// unixCeil returns the first whole second at or after t: the stored
// times are whole seconds.
func unixCeil(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

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
		add(` AND t.created_at >= $%d::bigint`, unixCeil(f.CreatedAfter))
	}
	if !f.CreatedBefore.IsZero() {
		add(` AND t.created_at < $%d::bigint`, unixCeil(f.CreatedBefore))
	}
	return sb.String(), args
}

// datesKeep returns the bounds of the filter's creation dates.
func datesKeep(f portal.TicketFilter) func(created int64) bool {
	return func(created int64) bool {
		return (f.CreatedAfter.IsZero() || created >= unixCeil(f.CreatedAfter)) &&
			(f.CreatedBefore.IsZero() || created < unixCeil(f.CreatedBefore))
	}
}

// cursor is the position after the last ticket of a page: its sort key
// and id, and the sort and order it was made for. Cursors without a sort
// are the default's.
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

// searchOrder is the sort and order a search's page cursor is made for:
// "" for best first (whatever the order).
func searchOrder(f portal.TicketFilter) (sortKey, order string) {
	if f.Sort == "" {
		return "", ""
	}
	return listOrder(f)
}

// offsetCursor is the position of a search's next page: how many results
// come before it, and the sort and order it was made for.
type offsetCursor struct {
	Offset int    `json:"o"`
	Sort   string `json:"s,omitempty"`
	Order  string `json:"r,omitempty"`
}

func encodeOffset(n int, f portal.TicketFilter) string {
	c := offsetCursor{Offset: n}
	c.Sort, c.Order = searchOrder(f)
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeOffset(s string, f portal.TicketFilter) (int, error) {
	if s == "" {
		return 0, nil
	}
	var m map[string]json.RawMessage
	var c offsetCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if _, ok := m["o"]; err != nil || !ok || c.Offset < 0 || c.Offset > 100000 {
		return 0, errBadCursor
	}
	if sortKey, order := searchOrder(f); c.Sort != sortKey || c.Order != order {
		return 0, portal.Errorf(portal.EINVALID, "the page cursor was made for another sort or order; start again from the first page")
	}
	return c.Offset, nil
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

// cell is a group of a list's tickets: their state category, type id and
// whether the filter's creation dates keep them.
type cell struct {
	state, typ string
	dated      bool
}

// facetCells counts the tickets of a tab per cell, in one grouped query.
func (s *Store) facetCells(ctx context.Context, userID string, companies []string, f portal.TicketFilter) (map[cell]int, error) {
	dated, args := `true`, []any{userID, companies}
	if !f.CreatedAfter.IsZero() || !f.CreatedBefore.IsZero() {
		var conds []string
		if !f.CreatedAfter.IsZero() {
			conds = append(conds, fmt.Sprintf(`t.created_at >= $%d::bigint`, len(args)+1))
			args = append(args, unixCeil(f.CreatedAfter))
		}
		if !f.CreatedBefore.IsZero() {
			conds = append(conds, fmt.Sprintf(`t.created_at < $%d::bigint`, len(args)+1))
			args = append(args, unixCeil(f.CreatedBefore))
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
	cells := map[cell]int{}
	for rows.Next() {
		var state, typ string
		var n, kept int
		if err := rows.Scan(&state, &typ, &n, &kept); err != nil {
			return nil, dbError(err)
		}
		cells[cell{state, typ, true}] += kept
		cells[cell{state, typ, false}] += n - kept
	}
	return cells, dbError(rows.Err())
}

// facets returns the facets of a list's cells under the filter (each
// facet with the other filters applied) and how many tickets the whole
// filter keeps; the same as the SQLite store's.
func (s *Store) facets(ctx context.Context, cells map[cell]int, f portal.TicketFilter) (portal.Facets, int, error) {
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
			counts[c.typ] += 0 // every type of the list is listed
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
	names := map[string]string{}
	rows, err := s.pool.Query(ctx, `SELECT id, name FROM ticket_types WHERE id = ANY($1::text[])`, ids)
	if err != nil {
		return fc, total, dbError(err)
	}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return fc, total, dbError(err)
		}
		names[id] = name
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fc, total, dbError(err)
	}
	for _, id := range ids {
		fc.Types = append(fc.Types, portal.TypeCount{ID: id, Name: names[id], Count: counts[id]})
	}
	fc.SortTypes()
	return fc, total, nil
}
