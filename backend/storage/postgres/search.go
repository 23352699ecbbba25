package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"

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

// searchVector returns the tsvector of a ticket's searchable text (title
// at weight A, the rest at B), or nil for a ticket no portal search may
// find. It is sent to PostgreSQL in the binary form, its lexemes sorted as
// PostgreSQL keeps them (by their bytes, as Go compares strings), so the
// server neither parses nor sorts it: parsing the text form of 2,000,000
// tickets' vectors cost a third of the import's merge, on one core.
func searchVector(t *portal.Ticket) any {
	if !t.PortalEligible() {
		return nil
	}
	var lexes []pgtype.TSVectorLexeme
	index := map[string]int{}
	pos := uint16(0)
	for _, src := range portal.SearchSources(t, "") {
		w := pgtype.TSVectorWeightB
		if src.Kind == "title" {
			w = pgtype.TSVectorWeightA
		}
		for _, tok := range portal.Tokens(src.Text) {
			if pos < maxPosition {
				pos++
			}
			if len(tok) > maxLexeme {
				continue
			}
			i, ok := index[tok]
			if !ok {
				i = len(lexes)
				index[tok] = i
				lexes = append(lexes, pgtype.TSVectorLexeme{Word: tok})
			}
			// Positions increase (at most maxPosition, which repeats:
			// only the first is kept, as PostgreSQL would).
			if l := &lexes[i]; len(l.Positions) < maxPositions && (len(l.Positions) == 0 || l.Positions[len(l.Positions)-1].Position < pos) {
				l.Positions = append(l.Positions, pgtype.TSVectorPosition{Position: pos, Weight: w})
			}
		}
	}
	slices.SortFunc(lexes, func(a, b pgtype.TSVectorLexeme) int { return strings.Compare(a.Word, b.Word) })
	return pgtype.TSVector{Lexemes: lexes, Valid: true}
}

// maxPositions is how many positions a lexeme keeps.
const maxPositions = 256

// lexemeQuoter escapes a lexeme inside quotes (made once: building a
// Replacer costs more than using it).
var lexemeQuoter = strings.NewReplacer(`\`, `\\`, `'`, `''`)

// quoteLexeme quotes a lexeme for tsvector and tsquery text.
func quoteLexeme(s string) string {
	return "'" + lexemeQuoter.Replace(s) + "'"
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
// then recency, then id; or in the filter's sort (its key, then id) when
// it has one. It is one statement: the match (the GIN index), the
// visibility filter and the rank make the matches once; from them
// PostgreSQL counts the facets' cells and cuts the page (ORDER BY with a
// total tie-break on the id, LIMIT and OFFSET), so only the page's ids
// and a few counts come back. The snippets are made from the page's
// tickets only (by the caller, portal.Highlight).
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
	f := q.TicketFilter
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
	args := []any{q.UserID, companies, q.Limit, offset}
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
	// The creation dates decide a cell (the facets count the rest of the
	// filter themselves); the whole filter decides the page.
	dated, dateArgs := filterWhere(portal.TicketFilter{CreatedAfter: f.CreatedAfter, CreatedBefore: f.CreatedBefore}, len(args)+1)
	args = append(args, dateArgs...)
	kept, keptArgs := filterWhere(f, len(args)+1)
	args = append(args, keptArgs...)
	// The numbered ticket first. Then, without a sort, best first (the
	// higher rank), then newer, then the greater id. With a sort, its key
	// then the id, both in the order's direction. Ids are unique, so the
	// order is total and the pages never overlap.
	order := `t.numbered DESC, t.rank DESC, t.updated_at DESC, t.id DESC`
	if f.Sort != "" {
		key, dir := `t.updated_at`, `DESC`
		if f.Sort == portal.SortCreated {
			key = `t.created_at`
		}
		if f.Ascending() {
			dir = `ASC`
		}
		order = `t.numbered DESC, ` + key + ` ` + dir + `, t.id ` + dir
	}
	// Where the matches start: a user who sees few tickets (most do) has
	// them read by the visibility indexes and matched one by one (the
	// OFFSET 0 keeps the match out of that scan), whatever the words;
	// one who sees many has the GIN index find the words' tickets first.
	// The statements are planned once per connection (generic plans),
	// which cannot weigh the words, so the count decides.
	var mine, theirs, both int
	if err := s.pool.QueryRow(ctx, countSQL, q.UserID, companies).Scan(&mine, &theirs, &both); err != nil {
		return page, dbError(err)
	}
	from := `tickets t`
	if mine+theirs-both <= visibleFirst {
		from = `(SELECT * FROM tickets t WHERE (t.creator_id = $1 OR t.company_id = ANY($2::text[])) AND ` + eligible + ` OFFSET 0) t`
	}
	rows, err := s.pool.Query(ctx, `WITH m AS MATERIALIZED (
			SELECT t.id, `+rank+` AS rank, t.updated_at, t.created_at, t.state_category, t.type_id, `+numbered+` AS numbered
			FROM `+from+`
			WHERE (`+strings.Join(which, ` OR `)+`) AND `+eligible+` AND (t.creator_id = $1 OR t.company_id = ANY($2::text[]))
		), page AS (
			SELECT t.id, row_number() OVER (ORDER BY `+order+`) AS ord
			FROM m t WHERE true`+kept+`
			ORDER BY `+order+` LIMIT $3 OFFSET $4
		)
		SELECT false, t.state_category, t.type_id, count(*)::bigint, (count(*) FILTER (WHERE true`+dated+`))::bigint, coalesce(min(tt.name), '')
		FROM m t LEFT JOIN ticket_types tt ON tt.id = t.type_id GROUP BY t.state_category, t.type_id
		UNION ALL
		SELECT true, '', '', p.ord, 0, p.id FROM page p
		ORDER BY 1, 4`, args...)
	if err != nil {
		return page, dbError(err)
	}
	cells, names := listpage.Cells{}, map[string]string{}
	for rows.Next() {
		var isPage bool
		var state, typ, id string
		var n, nDated int64
		if err := rows.Scan(&isPage, &state, &typ, &n, &nDated, &id); err != nil {
			rows.Close()
			return portal.SearchPage{IDs: []string{}, Facets: portal.NewFacets()}, dbError(err)
		}
		if isPage {
			page.IDs = append(page.IDs, id)
			continue
		}
		cells.AddGroup(state, typ, int(n), int(nDated))
		names[typ] = id // a group's row carries its type's name
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return portal.SearchPage{IDs: []string{}, Facets: portal.NewFacets()}, dbError(err)
	}
	page.Facets, page.Total = cells.Facets(f, names)
	if offset+len(page.IDs) < page.Total {
		page.Next = listpage.EncodeOffset(offset+len(page.IDs), f)
	}
	return page, nil
}

// visibleFirst is how many visible tickets a search reads through the
// visibility indexes before it lets the GIN index find the words first
// (a variable for the tests, which try both ways).
var visibleFirst = 5000

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
