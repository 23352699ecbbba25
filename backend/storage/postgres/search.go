package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/listpage"
)

// Search on PostgreSQL: each shared Customer ticket's searchable text is a
// tsvector (tickets.search) whose lexemes are portal.Tokens — folded in
// Go, exactly the tokens the SQLite store indexes — with the title at
// weight A and the description and customer-visible parts at weight B, so
// a match in the title ranks higher. A search is one statement: the
// match (GIN index), the visibility filter (the user's own tickets and,
// on the All tab, their companies') and the order, with the page cut by
// PostgreSQL. The Preview column's snippet is made in Go (portal.Highlight)
// from the page's tickets only, the same as on SQLite.

// maxLexeme is the longest lexeme a tsvector holds (bytes); longer tokens
// are left out of the index.
const maxLexeme = 2046

// maxPosition is the highest position a tsvector records.
const maxPosition = 16383

// searchVector returns the tsvector text of a ticket's searchable text
// (title at weight A, the rest at B), or nil for a ticket no portal
// search may find.
func searchVector(t *portal.Ticket) any {
	if !t.PortalEligible() {
		return nil
	}
	type lex struct{ pos []string }
	lexemes := map[string]*lex{}
	var order []string
	pos := 0
	for _, src := range portal.SearchSources(t, "") {
		weight := "B"
		if src.Kind == "title" {
			weight = "A"
		}
		for _, tok := range portal.Tokens(src.Text) {
			if pos < maxPosition {
				pos++
			}
			if len(tok) > maxLexeme {
				continue
			}
			l := lexemes[tok]
			if l == nil {
				l = &lex{}
				lexemes[tok] = l
				order = append(order, tok)
			}
			if len(l.pos) < 256 {
				l.pos = append(l.pos, strconv.Itoa(pos)+weight)
			}
		}
	}
	var b strings.Builder
	for i, tok := range order {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteLexeme(tok))
		b.WriteByte(':')
		b.WriteString(strings.Join(lexemes[tok].pos, ","))
	}
	return b.String()
}

// quoteLexeme quotes a lexeme for tsvector and tsquery text.
func quoteLexeme(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
}

// tsQuery returns the tsquery text of search terms: every term, the last
// as a prefix.
func tsQuery(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = quoteLexeme(t)
		if i == len(terms)-1 {
			parts[i] += ":*"
		}
	}
	return strings.Join(parts, " & ")
}

// Search returns one page of the shared Customer tickets the user sees on
// the tab whose text holds every term (the last as a prefix), or whose
// number is q.Number, and that the filter keeps: the numbered ticket
// first, then ranked by relevance (ts_rank, the title above the rest),
// then recency, then id; or in the filter's sort when it has one. The
// matches come in one statement, with their types' names (the GIN index
// and the visibility filter in the query); the facets, the order and the
// page are made in Go (package listpage), the same as on SQLite.
func (s *Store) Search(ctx context.Context, q portal.SearchQuery) (portal.SearchPage, error) {
	page := portal.SearchPage{IDs: []string{}, Facets: portal.NewFacets()}
	companies, err := listpage.Companies(q.Tab, q.CompanyIDs)
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
	if !storable(q.UserID) {
		return page, nil
	}
	if !storable(q.Terms...) {
		q.Terms = nil
	}
	if !storable(q.Number) {
		q.Number = ""
	}
	if len(q.Terms) == 0 && q.Number == "" {
		return page, nil
	}
	companies = storableOnly(companies)
	rank, numbered := `0::real`, `false`
	var which []string
	args := []any{q.UserID, companies}
	if len(q.Terms) > 0 {
		args = append(args, tsQuery(q.Terms))
		rank = fmt.Sprintf(`CASE WHEN coalesce(t.search @@ $%[1]d::tsquery, false) THEN ts_rank(t.search, $%[1]d::tsquery) ELSE 0 END`, len(args))
		which = append(which, fmt.Sprintf(`t.search @@ $%d::tsquery`, len(args)))
	}
	if q.Number != "" {
		args = append(args, q.Number)
		numbered = fmt.Sprintf(`t.ticket_id = $%d`, len(args))
		which = append(which, numbered)
	}
	// Each match with its type's name (for the facets): one round trip.
	rows, err := s.pool.Query(ctx, `SELECT t.id, `+rank+`, t.updated_at, t.created_at, t.state_category, t.type_id, coalesce(tt.name, ''), `+numbered+`
		FROM tickets t LEFT JOIN ticket_types tt ON tt.id = t.type_id
		WHERE (`+strings.Join(which, ` OR `)+`) AND `+eligible+` AND (t.creator_id = $1 OR t.company_id = ANY($2::text[]))`, args...)
	if err != nil {
		return page, dbError(err)
	}
	var hits []listpage.Hit
	names := map[string]string{}
	for rows.Next() {
		var h listpage.Hit
		var rank float32
		var typeName string
		if err := rows.Scan(&h.ID, &rank, &h.Updated, &h.Created, &h.State, &h.Type, &typeName, &h.Number); err != nil {
			rows.Close()
			return page, dbError(err)
		}
		h.Score = float64(rank) // higher is better
		hits = append(hits, h)
		names[h.Type] = typeName
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return page, dbError(err)
	}
	res := listpage.Filter(hits, q.TicketFilter)
	page = res.Page(offset, q.Limit)
	page.Facets, _ = res.Cells().Facets(q.TicketFilter, names)
	return page, nil
}

// TicketsMatching counts the indexed tickets (shared Customer ones) whose
// text holds a word, for everyone: benchmarks use it to pick rare and
// common words.
func (s *Store) TicketsMatching(ctx context.Context, word string) (int, error) {
	terms := portal.SearchTerms(word)
	if len(terms) != 1 {
		return 0, portal.Errorf(portal.EINVALID, "give one word")
	}
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM tickets t WHERE t.search @@ $1::tsquery`, quoteLexeme(terms[0])).Scan(&n)
	return n, dbError(err)
}
