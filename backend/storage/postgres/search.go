package postgres

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"portalstudio/backend/portal"
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
// the tab whose text holds every term (the last as a prefix), ranked by
// relevance (ts_rank, the title above the rest), then recency, then id.
func (s *Store) Search(ctx context.Context, q portal.SearchQuery) (portal.SearchPage, error) {
	page := portal.SearchPage{IDs: []string{}}
	if q.Tab != portal.TabAll && q.Tab != portal.TabMine {
		return page, portal.Errorf(portal.EINVALID, "unknown tab %q; use all or mine", q.Tab)
	}
	if len(q.Terms) == 0 || q.UserID == "" {
		return page, nil
	}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 20
	}
	offset, err := decodeOffset(q.Cursor)
	if err != nil {
		return page, err
	}
	if !storable(q.UserID) || !storable(q.Terms...) {
		return page, nil
	}
	companies := []string{}
	if q.Tab == portal.TabAll {
		companies = storableOnly(dedupe(q.CompanyIDs))
	}
	rows, err := s.pool.Query(ctx, `SELECT t.id, count(*) OVER () FROM tickets t
		WHERE t.search @@ $1::tsquery AND `+eligible+` AND (t.creator_id = $2 OR t.company_id = ANY($3))
		ORDER BY ts_rank(t.search, $1::tsquery) DESC, t.updated_at DESC, t.id DESC
		OFFSET $4 LIMIT $5`, tsQuery(q.Terms), q.UserID, companies, offset, q.Limit)
	if err != nil {
		return page, dbError(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id, &page.Total); err != nil {
			rows.Close()
			return page, dbError(err)
		}
		page.IDs = append(page.IDs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return page, dbError(err)
	}
	if len(page.IDs) == 0 && offset > 0 {
		// Past the end: the total still counts every match.
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM tickets t
			WHERE t.search @@ $1::tsquery AND `+eligible+` AND (t.creator_id = $2 OR t.company_id = ANY($3))`,
			tsQuery(q.Terms), q.UserID, companies).Scan(&page.Total); err != nil {
			return page, dbError(err)
		}
	}
	if offset+len(page.IDs) < page.Total {
		page.Next = encodeOffset(offset + len(page.IDs))
	}
	return page, nil
}

func encodeOffset(n int) string {
	b, _ := json.Marshal(map[string]int{"o": n})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeOffset(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	var m map[string]int
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if n, ok := m["o"]; err != nil || !ok || n < 0 || n > 100000 {
		return 0, portal.Errorf(portal.EINVALID, "the page cursor is not valid; start again from the first page")
	}
	return m["o"], nil
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
