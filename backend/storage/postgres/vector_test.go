package postgres_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/postgres"
)

// TestSearchVectorIsPostgreSQLs: the import sends each ticket's search
// vector in PostgreSQL's binary form, sorted; it must hold exactly what
// PostgreSQL makes of the vector's text form (textVector: every token's
// position and weight, quoted), on text that tries the edges: quotes and
// backslashes, accents, a word in the title and the body (weights A and
// B), a word more than 256 times, more tokens than the last position
// (16,383), a token too long for a lexeme, lexemes that sort differently
// by byte and by letter.
func TestSearchVectorIsPostgreSQLs(t *testing.T) {
	ctx := context.Background()
	pg, _ := openPG(t)
	long := strings.Repeat("x", 2100)
	many := strings.Repeat("again ", 300)
	huge := strings.Repeat("alpha beta gamma ", 6000) + "omega"
	bodies := map[string][2]string{
		"quotes":  {`Don't "stop" c:\path\to`, `it's O'Brien's \\server\share`},
		"accents": {"Montréal Zürich", "ÉCOLE école Straße ﬁnance İstanbul"},
		"weights": {"Billing issue", "the billing page shows the issue twice: billing"},
		"repeats": {"again", many},
		"cap":     {"Big", huge},
		"long":    {"Long " + long, "short " + long + " end"},
		"order":   {"b a B A ab aa é e z Z 10 9 -1", "zz Zz äa ab"},
		"empty":   {"", ""},
	}
	var recs []portal.Record
	for id, b := range bodies {
		recs = append(recs, portal.Record{Ticket: &portal.Ticket{ID: id, TicketID: id, Title: b[0], Description: b[1], Category: "Customer", IsShared: true,
			StateCategory: "submitted", StateLabel: "Submitted", CreatedAt: t0, UpdatedAt: t0}})
	}
	if _, err := pg.Import(ctx, source(recs), portal.ImportOptions{Strict: true}); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		stored, parsed, err := postgres.VectorTexts(ctx, pg, r.Ticket.ID, textVector(r.Ticket))
		if err != nil {
			t.Fatal(err)
		}
		if stored != parsed {
			t.Errorf("ticket %s: the stored vector is\n%.300s\nPostgreSQL makes of its text form\n%.300s", r.Ticket.ID, stored, parsed)
		}
	}
}

// textVector is a ticket's search vector in PostgreSQL's text form, made
// as the store made it before it sent the binary form: every token in
// order, its position counted to 16,383 (where it stays), at weight A in
// the title and B elsewhere, at most 256 positions a lexeme, tokens over
// 2,046 bytes left out.
func textVector(t *portal.Ticket) string {
	type lex struct {
		tok string
		pos []string
	}
	var lexes []*lex
	index := map[string]*lex{}
	pos := 0
	for _, src := range portal.SearchSources(t, "") {
		w := "B"
		if src.Kind == "title" {
			w = "A"
		}
		for _, tok := range portal.Tokens(src.Text) {
			if pos < 16383 {
				pos++
			}
			if len(tok) > 2046 {
				continue
			}
			l := index[tok]
			if l == nil {
				l = &lex{tok: tok}
				index[tok] = l
				lexes = append(lexes, l)
			}
			if len(l.pos) < 256 {
				l.pos = append(l.pos, strconv.Itoa(pos)+w)
			}
		}
	}
	var b strings.Builder
	for i, l := range lexes {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(l.tok) + "':" + strings.Join(l.pos, ","))
	}
	return b.String()
}
