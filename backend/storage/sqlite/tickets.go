package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/listpage"
	"strings"
	"time"
)

// This file holds the reads of tickets: one with its parts, a user's
// portal list page by page (cursors), and lookups by number.

// FindTicket returns the id of the ticket with that id or, failing that,
// that number (ticket_id), or ENOTFOUND.
func (ds *DirectoryStore) FindTicket(ctx context.Context, key string) (string, error) {
	key = strings.TrimPrefix(strings.TrimSpace(key), "#")
	var id string
	err := ds.db.QueryRowContext(ctx, `SELECT id FROM tickets WHERE id = ?`, key).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	return ds.TicketByNumber(ctx, key)
}

const ticketColumns = `t.id, t.ticket_id, t.title, t.description, t.category, t.is_shared, t.state_category, t.state_label, t.type_id, t.type_name, coalesce(t.creator_id, ''), coalesce(t.company_id, ''), t.created_at, t.updated_at, t.open`

func scanTicket(sc interface{ Scan(...any) error }) (portal.Ticket, error) {
	return newTicketScanner().scan(sc)
}

// ticketScanner reads rows of ticketColumns, then its extra columns, into
// tickets, with one set of destinations for every row of a statement:
// scanning each ticket anew cost a list of twenty its three largest
// allocations.
type ticketScanner struct {
	t                portal.Ticket
	creator          string
	created, updated int64
	dest             []any
}

// newTicketScanner scans ticketColumns, then the columns after them
// into extra.
func newTicketScanner(extra ...any) *ticketScanner {
	s := &ticketScanner{}
	t := &s.t
	s.dest = append([]any{&t.ID, &t.TicketID, &t.Title, &t.Description, &t.Category, &t.IsShared, &t.StateCategory, &t.StateLabel,
		&t.TypeID, &t.TypeName, &s.creator, &t.CompanyID, &s.created, &s.updated, &t.Open}, extra...)
	return s
}

// scan reads the current row into a ticket of its own.
func (s *ticketScanner) scan(sc interface{ Scan(...any) error }) (portal.Ticket, error) {
	s.t = portal.Ticket{}
	err := sc.Scan(s.dest...)
	t := s.t
	if s.creator != "" {
		t.ContactIDs = []string{s.creator}
	}
	t.CreatedAt, t.UpdatedAt = time.Unix(s.created, 0).UTC(), time.Unix(s.updated, 0).UTC()
	return t, err
}

// Tickets returns one page of the shared Customer tickets a user sees on a
// tab that the query's filter keeps, in its order, with the tab's facets
// (listTickets, ticketlist.go). The caller decides whether the user may
// see the tab at all.
func (ds *DirectoryStore) Tickets(ctx context.Context, q portal.TicketQuery) (portal.TicketPage, error) {
	return ds.listTickets(ctx, q)
}

// countTickets counts the shared Customer tickets created by userID or of
// the companies: created + of the companies − both, three index range
// counts (an OR of the two would scan) in one statement.
func (ds *DirectoryStore) countTickets(ctx context.Context, userID string, companies []string) (int, error) {
	const eligible = ` AND t.category = 'Customer' AND t.is_shared = 1`
	mineQ := `SELECT count(*) FROM tickets t WHERE t.creator_id = ?` + eligible
	companies = listpage.Dedupe(companies)
	if len(companies) == 0 {
		var mine int
		err := ds.queryRow(ctx, mineQ, userID).Scan(&mine)
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
	err := ds.queryRow(ctx, `SELECT (`+mineQ+`), (SELECT count(*) FROM tickets t WHERE `+in+eligible+
		`), (SELECT count(*) FROM tickets t WHERE t.creator_id = ? AND `+in+eligible+`)`, args...).Scan(&mine, &theirs, &both)
	return mine + theirs - both, err
}

// Ticket returns a ticket with all its contacts and parts (notes
// included: the caller filters what a customer sees), or ENOTFOUND.
func (ds *DirectoryStore) Ticket(ctx context.Context, id string) (*portal.Ticket, error) {
	t, err := scanTicket(ds.queryRow(ctx, `SELECT `+ticketColumns+` FROM tickets t WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, portal.Errorf(portal.ENOTFOUND, "ticket %s not found", id)
	}
	if err != nil {
		return nil, err
	}
	rows, err := ds.query(ctx, `SELECT user_id FROM ticket_contacts WHERE ticket_id = ? ORDER BY position`, id)
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
	prow, err := ds.query(ctx, `SELECT id, part_type, body, author_type, author_id, author_name, created_at FROM parts WHERE ticket_id = ? ORDER BY position`, id)
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
func (ds *DirectoryStore) TicketByNumber(ctx context.Context, number string) (string, error) {
	var id string
	err := ds.queryRow(ctx, `SELECT id FROM tickets WHERE ticket_id = ?`, number).Scan(&id)
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
	if len(listpage.Dedupe(companyIDs)) == 0 {
		c.All = c.Mine
		return c, nil
	}
	c.All, err = ws.countTickets(ctx, userID, companyIDs)
	return c, err
}
