package sqlite

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"portalstudio/backend/portal"
	"sort"
	"strings"
	"time"
)

// This file holds the reads of tickets: one with its parts, a user's
// portal list page by page (cursors), and lookups by number.

// FindTicket returns the id of the ticket with that id or, failing that,
// that number (ticket_id), or ENOTFOUND.
func (ws *Workspace) FindTicket(ctx context.Context, key string) (string, error) {
	key = strings.TrimPrefix(strings.TrimSpace(key), "#")
	var id string
	err := ws.db.QueryRowContext(ctx, `SELECT id FROM tickets WHERE id = ?`, key).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	return ws.TicketByNumber(ctx, key)
}

const ticketColumns = `t.id, t.ticket_id, t.title, t.description, t.category, t.is_shared, t.state_category, t.state_label, t.type_id, t.type_name, coalesce(t.creator_id, ''), coalesce(t.company_id, ''), t.created_at, t.updated_at, t.open`

func scanTicket(sc interface{ Scan(...any) error }) (portal.Ticket, error) {
	var t portal.Ticket
	var creator string
	var created, updated int64
	err := sc.Scan(&t.ID, &t.TicketID, &t.Title, &t.Description, &t.Category, &t.IsShared, &t.StateCategory, &t.StateLabel,
		&t.TypeID, &t.TypeName, &creator, &t.CompanyID, &created, &updated, &t.Open)
	if creator != "" {
		t.ContactIDs = []string{creator}
	}
	t.CreatedAt, t.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return t, err
}

// cursor is the position after the last ticket of a page.
type cursor struct {
	Updated int64  `json:"u"`
	ID      string `json:"i"`
}

func encodeCursor(t portal.Ticket) string {
	b, _ := json.Marshal(cursor{t.UpdatedAt.Unix(), t.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" {
		return nil, portal.Errorf(portal.EINVALID, "the page cursor is not valid; start again from the first page")
	}
	return &c, nil
}

// Tickets returns one page of the shared Customer tickets a user sees on a
// tab, newest first: on "mine" those they created; on "all" those of their
// companies plus those they created. It reads one short index range per
// company and one for the creator, and merges them. The caller decides
// whether the user may see the tab at all.
func (ws *Workspace) Tickets(ctx context.Context, q portal.TicketQuery) (portal.TicketPage, error) {
	page := portal.TicketPage{Tickets: []portal.Ticket{}}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 20
	}
	cur, err := decodeCursor(q.Cursor)
	if err != nil {
		return page, err
	}
	var companies []string
	if q.Tab == portal.TabAll {
		companies = q.CompanyIDs
	} else if q.Tab != portal.TabMine {
		return page, portal.Errorf(portal.EINVALID, "unknown tab %q; use all or mine", q.Tab)
	}
	const eligible = `t.category = 'Customer' AND t.is_shared = 1`
	after, afterArgs := "", []any{}
	if cur != nil {
		after = ` AND (t.updated_at < ? OR (t.updated_at = ? AND t.id < ?))`
		afterArgs = []any{cur.Updated, cur.Updated, cur.ID}
	}
	// Each source (the creator, each company) reads only the keys of its
	// first Limit+1 tickets from its covering index, all in one statement
	// (a UNION ALL of the sources, each its own ordered, limited scan); the
	// merged page's tickets are then read whole in one query.
	type key struct {
		updated int64
		id      string
	}
	var sources []string
	var args []any
	source := func(where string, arg any) {
		sources = append(sources, `SELECT * FROM (SELECT t.updated_at, t.id FROM tickets t WHERE `+where+` AND `+eligible+after+
			` ORDER BY t.updated_at DESC, t.id DESC LIMIT ?)`)
		args = append(append(append(args, arg), afterArgs...), q.Limit+1)
	}
	if q.UserID != "" {
		source(`t.creator_id = ?`, q.UserID)
	}
	for _, c := range dedupe(companies) {
		source(`t.company_id = ?`, c)
	}
	seen := map[string]bool{}
	var merged []key
	if len(sources) > 0 {
		rows, err := ws.query(ctx, strings.Join(sources, ` UNION ALL `), args...)
		if err != nil {
			return page, err
		}
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.updated, &k.id); err != nil {
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
	// The order of portal.TicketBefore: updated_at newest first, then the
	// greater id.
	sort.Slice(merged, func(i, j int) bool {
		if merged[i].updated != merged[j].updated {
			return merged[i].updated > merged[j].updated
		}
		return merged[i].id > merged[j].id
	})
	if len(merged) > q.Limit {
		merged = merged[:q.Limit]
		last := merged[len(merged)-1]
		page.Next = encodeCursor(portal.Ticket{ID: last.id, UpdatedAt: time.Unix(last.updated, 0)})
	}
	if len(merged) > 0 {
		args := make([]any, len(merged))
		for i, k := range merged {
			args[i] = k.id
		}
		rows, err := ws.query(ctx, `SELECT `+ticketColumns+` FROM tickets t WHERE t.id IN (`+placeholders(len(args))+`)`, args...)
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
	page.Total, err = ws.countTickets(ctx, q.UserID, companies)
	return page, err
}

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// countTickets counts the shared Customer tickets created by userID or of
// the companies: created + of the companies − both, three index range
// counts (an OR of the two would scan) in one statement.
func (ws *Workspace) countTickets(ctx context.Context, userID string, companies []string) (int, error) {
	const eligible = ` AND t.category = 'Customer' AND t.is_shared = 1`
	mineQ := `SELECT count(*) FROM tickets t WHERE t.creator_id = ?` + eligible
	companies = dedupe(companies)
	if len(companies) == 0 {
		var mine int
		err := ws.queryRow(ctx, mineQ, userID).Scan(&mine)
		return mine, err
	}
	in := `t.company_id IN (` + placeholders(len(companies)) + `)`
	// The arguments: the user, the companies; the user, the companies.
	args := []any{userID}
	for _, c := range companies {
		args = append(args, c)
	}
	args = append(args, args...)
	var mine, theirs, both int
	err := ws.queryRow(ctx, `SELECT (`+mineQ+`), (SELECT count(*) FROM tickets t WHERE `+in+eligible+
		`), (SELECT count(*) FROM tickets t WHERE t.creator_id = ? AND `+in+eligible+`)`, args...).Scan(&mine, &theirs, &both)
	return mine + theirs - both, err
}

// Ticket returns a ticket with all its contacts and parts (notes
// included: the caller filters what a customer sees), or ENOTFOUND.
func (ws *Workspace) Ticket(ctx context.Context, id string) (*portal.Ticket, error) {
	t, err := scanTicket(ws.queryRow(ctx, `SELECT `+ticketColumns+` FROM tickets t WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, portal.Errorf(portal.ENOTFOUND, "ticket %s not found", id)
	}
	if err != nil {
		return nil, err
	}
	rows, err := ws.query(ctx, `SELECT user_id FROM ticket_contacts WHERE ticket_id = ? ORDER BY position`, id)
	if err != nil {
		return nil, err
	}
	t.ContactIDs = nil
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return nil, err
		}
		t.ContactIDs = append(t.ContactIDs, c)
	}
	rows.Close()
	prow, err := ws.query(ctx, `SELECT id, part_type, body, author_type, author_id, author_name, created_at FROM parts WHERE ticket_id = ? ORDER BY position`, id)
	if err != nil {
		return nil, err
	}
	defer prow.Close()
	for prow.Next() {
		var p portal.Part
		var created int64
		if err := prow.Scan(&p.ID, &p.PartType, &p.Body, &p.AuthorType, &p.AuthorID, &p.AuthorName, &created); err != nil {
			return nil, err
		}
		p.CreatedAt = time.Unix(created, 0).UTC()
		t.Parts = append(t.Parts, p)
	}
	return &t, prow.Err()
}

// TicketByNumber returns the id of the ticket with that ticket_id (the
// number customers see), or ENOTFOUND.
func (ws *Workspace) TicketByNumber(ctx context.Context, number string) (string, error) {
	var id string
	err := ws.queryRow(ctx, `SELECT id FROM tickets WHERE ticket_id = ?`, number).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", portal.Errorf(portal.ENOTFOUND, "ticket %s not found", number)
	}
	return id, err
}

// TicketCounts returns the sizes of the user's two tabs (index range
// counts; see countTickets).
func (ws *Workspace) TicketCounts(ctx context.Context, userID string, companyIDs []string) (portal.TicketCounts, error) {
	var c portal.TicketCounts
	var err error
	if c.Mine, err = ws.countTickets(ctx, userID, nil); err != nil {
		return c, err
	}
	if len(dedupe(companyIDs)) == 0 {
		c.All = c.Mine
		return c, nil
	}
	c.All, err = ws.countTickets(ctx, userID, companyIDs)
	return c, err
}
