package sqlite

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"portalstudio/backend/portal"
)

// visToken returns the visibility token of a company ("c") or creator
// ("u") id: hex, so any id is one token.
func visToken(kind byte, id string) string {
	return string(kind) + hex.EncodeToString([]byte(id))
}

// indexTicket puts the ticket numbered seq in the search index when it is
// a shared Customer ticket, with its searchable text body (searchBody of
// the ticket). The caller has removed any earlier entry. It runs inside
// the import's transaction, so the index never lags the tickets.
func (im *importer) indexTicket(seq int64, t *portal.Ticket, body string) error {
	if !t.PortalEligible() {
		return nil
	}
	return im.exec("ftsAdd", seq, body, visTokens(t.CreatorID(), t.CompanyID))
}

// visTokens returns the visibility tokens of a ticket's creator and
// company ("" for none).
func visTokens(creator, company string) string {
	vis := []string{}
	if creator != "" {
		vis = append(vis, visToken('u', creator))
	}
	if company != "" {
		vis = append(vis, visToken('c', company))
	}
	return strings.Join(vis, " ")
}

// reindexSearch fills the search index anew from the shared Customer
// tickets and their parts, inside tx (migration 006 made it again).
func reindexSearch(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM ticket_fts`); err != nil {
		return err
	}
	add, err := tx.PrepareContext(ctx, importSQL["ftsAdd"])
	if err != nil {
		return err
	}
	defer add.Close()
	// One stream: each ticket's rows, its parts in order.
	rows, err := tx.QueryContext(ctx, `SELECT t.seq, t.title, t.description, coalesce(t.creator_id, ''), coalesce(t.company_id, ''),
		coalesce(p.part_type, ''), coalesce(p.body, ''), p.ticket_id IS NOT NULL
		FROM tickets t LEFT JOIN parts p ON p.ticket_id = t.id
		WHERE t.category = 'Customer' AND t.is_shared = 1 ORDER BY t.seq, p.position`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var cur *portal.Ticket
	var seq int64
	var creator string
	flush := func() error {
		if cur == nil {
			return nil
		}
		_, err := add.ExecContext(ctx, seq, searchBody(cur), visTokens(creator, cur.CompanyID))
		return err
	}
	for rows.Next() {
		var s int64
		var title, desc, cr, company, partType, body string
		var hasPart bool
		if err := rows.Scan(&s, &title, &desc, &cr, &company, &partType, &body, &hasPart); err != nil {
			return err
		}
		if cur == nil || s != seq {
			if err := flush(); err != nil {
				return err
			}
			cur = &portal.Ticket{Title: title, Description: desc, Category: portal.CategoryCustomer, IsShared: true, CompanyID: company}
			seq, creator = s, cr
		}
		if hasPart {
			cur.Parts = append(cur.Parts, portal.Part{PartType: partType, Body: body})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}

// searchBody is the text the search index holds for a shared Customer
// ticket: its title, description and customer-visible parts as folded
// tokens ("" for any other ticket). It needs no database: an import
// computes it while the previous records are written.
func searchBody(t *portal.Ticket) string {
	if !t.PortalEligible() {
		return ""
	}
	return strings.Join(portal.Tokens(portal.SearchText(t)), " ")
}

// matchExpr returns the FTS5 query: every term in the body (the last as a
// prefix: the terms of the index it begins, when given, else a prefix
// query), and one of the user's visibility tokens.
func matchExpr(q portal.SearchQuery, lastTerms []string) string {
	quote := func(t string) string { return `"` + strings.ReplaceAll(t, `"`, `""`) + `"` }
	words := make([]string, len(q.Terms))
	for i, t := range q.Terms {
		words[i] = quote(t)
		if i < len(q.Terms)-1 {
			continue
		}
		if lastTerms == nil {
			words[i] += "*"
			continue
		}
		alts := []string{words[i]}
		for _, x := range lastTerms {
			alts = append(alts, quote(x))
		}
		words[i] = "(" + strings.Join(alts, " OR ") + ")"
	}
	vis := []string{`"` + visToken('u', q.UserID) + `"`}
	if q.Tab == portal.TabAll {
		for _, c := range dedupe(q.CompanyIDs) {
			vis = append(vis, `"`+visToken('c', c)+`"`)
		}
	}
	return "{body} : (" + strings.Join(words, " AND ") + ") AND {vis} : (" + strings.Join(vis, " OR ") + ")"
}

// Search returns one page of the shared Customer tickets the user sees on
// the tab whose text holds every term, or whose number is q.Number, and
// that the filter keeps: the numbered ticket first, then ranked by
// relevance (bm25) then recency, or in the filter's sort when it has one;
// with the facets of the matches. The caller decides whether the user
// may see the tab at all.
func (st *SearchStore) Search(ctx context.Context, q portal.SearchQuery) (portal.SearchPage, error) {
	page := portal.SearchPage{IDs: []string{}, Facets: portal.NewFacets()}
	scope, err := scopeOf(q.UserID, q.CompanyIDs, q.Tab)
	if err != nil {
		return page, err
	}
	if (len(q.Terms) == 0 && q.Number == "") || q.UserID == "" {
		return page, nil
	}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 20
	}
	offset, err := decodeOffset(q.Cursor, q.TicketFilter)
	if err != nil {
		return page, err
	}
	type hit struct {
		id               string
		rank             float64
		updated, created int64
		state, typ       string
		number           bool // the ticket numbered q.Number
	}
	bySeq := map[int64]*hit{}
	var seqs []int64
	if len(q.Terms) > 0 {
		lastTerms, err := st.prefixTerms(ctx, q.Terms[len(q.Terms)-1])
		if err != nil {
			return page, err
		}
		// One pass over the index: every match of the user's tickets with
		// its score; the page is cut in Go. A user's matches are bounded
		// by the tickets they may see, so this is cheaper than a count and
		// a ranked query that would both walk the index.
		rows, err := st.db.QueryContext(ctx, `SELECT rowid, bm25(ticket_fts, 1.0, 0.0) FROM ticket_fts WHERE ticket_fts MATCH ?`, matchExpr(q, lastTerms))
		if err != nil {
			return page, err
		}
		for rows.Next() {
			var seq int64
			h := &hit{}
			if err := rows.Scan(&seq, &h.rank); err != nil {
				rows.Close()
				return page, err
			}
			bySeq[seq] = h
			seqs = append(seqs, seq)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return page, err
		}
	}
	if len(seqs) > 0 {
		list, err := json.Marshal(seqs)
		if err != nil {
			return page, err
		}
		rows, err := st.db.QueryContext(ctx, `SELECT t.seq, t.id, t.updated_at, t.created_at, t.state_category, t.type_id
			FROM json_each(?) j CROSS JOIN tickets t ON t.seq = j.value`, string(list))
		if err != nil {
			return page, err
		}
		defer rows.Close()
		for rows.Next() {
			var seq int64
			var h hit
			if err := rows.Scan(&seq, &h.id, &h.updated, &h.created, &h.state, &h.typ); err != nil {
				return page, err
			}
			h.rank = bySeq[seq].rank
			*bySeq[seq] = h
		}
		if err := rows.Err(); err != nil {
			return page, err
		}
	}
	if q.Number != "" {
		// The ticket with that number, when it is one the user sees on
		// the tab; otherwise nothing, exactly as for a number no ticket
		// has.
		var seq int64
		var h hit
		var creator, company string
		err := st.queryRow(ctx, `SELECT t.seq, t.id, t.updated_at, t.created_at, t.state_category, t.type_id, coalesce(t.creator_id, ''), coalesce(t.company_id, '')
			FROM tickets t WHERE t.ticket_id = ? AND `+portalEligible, q.Number).Scan(&seq, &h.id, &h.updated, &h.created, &h.state, &h.typ, &creator, &company)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return page, err
		case scope.sees(creator, company):
			if prev, ok := bySeq[seq]; ok {
				prev.number = true
			} else {
				h.number = true
				bySeq[seq] = &h
				seqs = append(seqs, seq)
			}
		}
	}
	f := q.TicketFilter
	after, before := int64(math.MinInt64), int64(math.MaxInt64)
	if !f.CreatedAfter.IsZero() {
		after = unixCeil(f.CreatedAfter)
	}
	if !f.CreatedBefore.IsZero() {
		before = unixCeil(f.CreatedBefore)
	}
	cells := map[cell]int{}
	hits := make([]hit, 0, len(seqs))
	for _, seq := range seqs {
		h := *bySeq[seq]
		c := cell{state: h.state, typ: h.typ, dated: h.created >= after && h.created < before}
		cells[c]++
		if c.dated && (len(f.State) == 0 || slices.Contains(f.State, h.state)) && (len(f.Types) == 0 || slices.Contains(f.Types, h.typ)) {
			hits = append(hits, h)
		}
	}
	if page.Facets, page.Total, err = st.facets(ctx, cells, f); err != nil {
		return page, err
	}
	// The numbered ticket first. Then, without a sort, best first: bm25
	// is lower for better matches; then newer, then the greater id. With
	// a sort, its key then the id, both in the order's direction.
	slices.SortFunc(hits, func(a, b hit) int {
		if a.number != b.number {
			if a.number {
				return -1
			}
			return 1
		}
		if f.Sort == "" {
			switch {
			case a.rank < b.rank:
				return -1
			case a.rank > b.rank:
				return 1
			}
			return -compareKeys(a.updated, a.id, b.updated, b.id)
		}
		ak, bk := a.updated, b.updated
		if f.Sort == portal.SortCreated {
			ak, bk = a.created, b.created
		}
		if f.Ascending() {
			return compareKeys(ak, a.id, bk, b.id)
		}
		return -compareKeys(ak, a.id, bk, b.id)
	})
	for i := offset; i < len(hits) && len(page.IDs) < q.Limit; i++ {
		page.IDs = append(page.IDs, hits[i].id)
	}
	if offset+len(page.IDs) < page.Total {
		page.Next = encodeOffset(offset+len(page.IDs), f)
	}
	return page, nil
}

// prefixMin and prefixMax bound the prefixes Search expands into the
// index's terms: from 4 characters (shorter ones begin too many terms,
// and long ones), up to 8 other terms.
const prefixMin, prefixMax = 4, 8

// prefixTerms returns the terms of the search index, other than p itself,
// that begin with p, when p is long enough and there are at most
// prefixMax of them; otherwise nil (a prefix query is cheaper then).
func (st *SearchStore) prefixTerms(ctx context.Context, p string) ([]string, error) {
	if utf8.RuneCountInString(p) < prefixMin {
		return nil, nil
	}
	// From the first term after p (p followed by the lowest byte) to the
	// last that begins with p (below p followed by a byte no UTF-8 text
	// holds). The vocabulary counts each term's documents as it goes, so
	// p itself, often the largest, is skipped.
	rows, err := st.db.QueryContext(ctx, `SELECT term FROM ticket_fts_vocab WHERE term >= ? AND term < ? LIMIT ?`, p+"\x00", p+"\xff", prefixMax+1)
	if err != nil {
		return nil, err
	}
	terms, err := scanStrings(rows)
	if err != nil || len(terms) > prefixMax {
		return nil, err
	}
	out := []string{}
	for _, t := range terms {
		if strings.HasPrefix(t, p) && t != p {
			out = append(out, t)
		}
	}
	return out, nil
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

// TicketsMatching counts the indexed tickets (shared Customer ones) whose
// text holds a word, for everyone: benchmarks use it to pick rare and
// common words.
func (st *SearchStore) TicketsMatching(ctx context.Context, word string) (int, error) {
	terms := portal.SearchTerms(word)
	if len(terms) != 1 {
		return 0, portal.Errorf(portal.EINVALID, "give one word")
	}
	var n int
	err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH ?`, `{body} : `+ftsString(terms[0])).Scan(&n)
	return n, err
}
