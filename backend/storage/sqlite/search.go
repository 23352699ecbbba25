package sqlite

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/listpage"
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
	if im.search != nil {
		im.search.put(searchOp{seq: seq, body: body, vis: visTokens(t.CreatorID(), t.CompanyID)})
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
	return portal.SearchBody(t)
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
		for _, c := range listpage.Dedupe(q.CompanyIDs) {
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
	q.Limit = listpage.Limit(q.Limit)
	offset, err := listpage.DecodeOffset(q.Cursor, q.TicketFilter)
	if err != nil {
		return page, err
	}
	bySeq := map[int64]*listpage.Hit{}
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
			var bm25 float64
			if err := rows.Scan(&seq, &bm25); err != nil {
				rows.Close()
				return page, err
			}
			// bm25 is lower for better matches.
			bySeq[seq] = &listpage.Hit{Score: -bm25}
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
			h := listpage.Hit{}
			if err := rows.Scan(&seq, &h.ID, &h.Updated, &h.Created, &h.State, &h.Type); err != nil {
				return page, err
			}
			h.Score = bySeq[seq].Score
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
		var h listpage.Hit
		var creator, company string
		err := st.queryRow(ctx, `SELECT t.seq, t.id, t.updated_at, t.created_at, t.state_category, t.type_id, coalesce(t.creator_id, ''), coalesce(t.company_id, '')
			FROM tickets t WHERE t.ticket_id = ? AND `+portalEligible, q.Number).Scan(&seq, &h.ID, &h.Updated, &h.Created, &h.State, &h.Type, &creator, &company)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return page, err
		case scope.sees(creator, company):
			if prev, ok := bySeq[seq]; ok {
				prev.Number = true
			} else {
				h.Number = true
				bySeq[seq] = &h
				seqs = append(seqs, seq)
			}
		}
	}
	hits := make([]listpage.Hit, 0, len(seqs))
	for _, seq := range seqs {
		hits = append(hits, *bySeq[seq])
	}
	res := listpage.Filter(hits, q.TicketFilter)
	names, err := st.typeNames(ctx, res.Cells().TypeIDs())
	if err != nil {
		return page, err
	}
	page = res.Page(offset, q.Limit)
	page.Facets, _ = res.Cells().Facets(q.TicketFilter, names)
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

// ftsString quotes s as one FTS5 string.
func ftsString(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
