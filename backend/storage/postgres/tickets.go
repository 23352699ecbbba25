package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/listpage"
)

// This file holds the reads of tickets: one with its parts, a user's
// portal list page by page (the same cursors as the SQLite store), and
// lookups by number.

const ticketColumns = `t.id, t.ticket_id, t.title, t.description, t.category, t.is_shared, t.state_category, t.state_label, t.type_id, t.type_name, coalesce(t.creator_id, ''), coalesce(t.company_id, ''), t.created_at, t.updated_at, t.open`

func scanTicket(row pgx.Row) (portal.Ticket, error) {
	var t portal.Ticket
	var creator string
	var created, updated int64
	err := row.Scan(&t.ID, &t.TicketID, &t.Title, &t.Description, &t.Category, &t.IsShared, &t.StateCategory, &t.StateLabel,
		&t.TypeID, &t.TypeName, &creator, &t.CompanyID, &created, &updated, &t.Open)
	if creator != "" {
		t.ContactIDs = []string{creator}
	}
	t.CreatedAt, t.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return t, err
}

// FindTicket returns the id of the ticket with that id or, failing that,
// that number, or ENOTFOUND.
func (s *Store) FindTicket(ctx context.Context, key string) (string, error) {
	key = strings.TrimPrefix(strings.TrimSpace(key), "#")
	var id string
	if !storable(key) {
		return "", portal.Errorf(portal.ENOTFOUND, "ticket %s not found", key)
	}
	err := s.pool.QueryRow(ctx, `SELECT id FROM tickets WHERE id = $1 UNION ALL (SELECT id FROM tickets WHERE ticket_id = $1) LIMIT 1`, key).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", portal.Errorf(portal.ENOTFOUND, "ticket %s not found", key)
	}
	return id, dbError(err)
}

// TicketsByKey returns the ticket whose id is key, then the one whose
// number is key (none when neither exists), without parts and with their
// creator as their only contact: one query whichever exists.
func (s *Store) TicketsByKey(ctx context.Context, key string) ([]portal.Ticket, error) {
	if !storable(key) {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+ticketColumns+` FROM tickets t WHERE t.id = $1 OR t.ticket_id = $1 ORDER BY t.id <> $1`, key)
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	var out []portal.Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, dbError(err)
		}
		out = append(out, t)
	}
	return out, dbError(rows.Err())
}

// Ticket returns a ticket with all its contacts and parts (notes
// included), or ENOTFOUND.
func (s *Store) Ticket(ctx context.Context, id string) (*portal.Ticket, error) {
	if !storable(id) {
		return nil, portal.Errorf(portal.ENOTFOUND, "ticket %s not found", id)
	}
	t, err := scanTicket(s.pool.QueryRow(ctx, `SELECT `+ticketColumns+` FROM tickets t WHERE t.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, portal.Errorf(portal.ENOTFOUND, "ticket %s not found", id)
	}
	if err != nil {
		return nil, dbError(err)
	}
	rows, err := s.pool.Query(ctx, `SELECT user_id FROM ticket_contacts WHERE ticket_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, dbError(err)
	}
	contacts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, dbError(err)
	}
	t.ContactIDs = contacts
	prow, err := s.pool.Query(ctx, `SELECT id, part_type, body, author_type, author_id, author_name, created_at FROM parts WHERE ticket_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, dbError(err)
	}
	defer prow.Close()
	for prow.Next() {
		var p portal.Part
		var created int64
		if err := prow.Scan(&p.ID, &p.PartType, &p.Body, &p.AuthorType, &p.AuthorID, &p.AuthorName, &created); err != nil {
			return nil, dbError(err)
		}
		p.CreatedAt = time.Unix(created, 0).UTC()
		t.Parts = append(t.Parts, p)
	}
	return &t, dbError(prow.Err())
}

// eligible selects the tickets a portal may show: shared Customer ones.
const eligible = `t.category = 'Customer' AND t.is_shared`

// Tickets returns one page of the shared Customer tickets a user sees on a
// tab that the filter keeps, in its order (last update or creation,
// either way, ties by id): on "mine" those they created; on "all" those
// of their companies plus those they created. Each source (the creator,
// each company) is its own scan limited to the page (LATERAL over the
// companies); the page is the first of their union. The total and the
// facets come from one grouped count of the tab, with the types' names,
// sent with the page's statement in one batch: one round trip.
func (s *Store) Tickets(ctx context.Context, q portal.TicketQuery) (portal.TicketPage, error) {
	page := portal.TicketPage{Tickets: []portal.Ticket{}, Facets: portal.NewFacets()}
	q.Limit = listpage.Limit(q.Limit)
	companies, err := listpage.Companies(q.Tab, q.CompanyIDs)
	if err != nil {
		return page, err
	}
	companies = storableOnly(companies)
	cur, err := listpage.DecodeCursor(q.Cursor, q.TicketFilter)
	if err != nil {
		return page, err
	}
	if !storable(q.UserID) {
		q.UserID = ""
	}
	sortKey, order := listpage.Order(q.TicketFilter)
	col, dir, cmp := `t.updated_at`, `DESC`, `<`
	if sortKey == portal.SortCreated {
		col = `t.created_at`
	}
	if order == portal.OrderAsc {
		dir, cmp = `ASC`, `>`
	}
	args := []any{q.UserID, companies, q.Limit + 1}
	cond, condArgs := filterWhere(q.TicketFilter, len(args)+1)
	args = append(args, condArgs...)
	if cur != nil {
		cond += fmt.Sprintf(` AND (%s, t.id) %s ($%d::bigint, $%d::text COLLATE "C")`, col, cmp, len(args)+1, len(args)+2)
		args = append(args, cur.Key, cur.ID)
	}
	orderBy := ` ORDER BY ` + col + ` ` + dir + `, t.id ` + dir
	keyOrder := ` ORDER BY k.key ` + dir + `, k.id ` + dir
	// The page is chosen from the sources' index entries (their sort key
	// and id are in them), then only its tickets are read from the table;
	// a ticket of two sources (the creator's and a company's) counts once.
	// The creators' names come with the page (as UserNames gives them).
	key := col + ` AS key, t.id`
	query := `SELECT ` + ticketColumns + `, (SELECT coalesce(u.name, coalesce(u.email, '')) FROM users u WHERE u.id = t.creator_id)
		FROM (SELECT k.seq, k.key, k.id FROM (
			(SELECT t.seq, ` + key + ` FROM tickets t WHERE t.creator_id = $1 AND ` + eligible + cond + orderBy + ` LIMIT $3)
			UNION ALL
			SELECT k.seq, k.key, k.id FROM unnest($2::text[]) AS c(id) CROSS JOIN LATERAL (
				SELECT t.seq, ` + key + ` FROM tickets t WHERE t.company_id = c.id AND ` + eligible + cond + orderBy + ` LIMIT $3) k) k
			GROUP BY k.seq, k.key, k.id` + keyOrder + ` LIMIT $3) k
		JOIN tickets t ON t.seq = k.seq` + keyOrder
	// The page and the facets in one round trip: a batch of the two
	// statements, pipelined.
	facetsSQL, facetsArgs := facetsQuery(q.UserID, companies, q.TicketFilter)
	batch := &pgx.Batch{}
	batch.Queue(query, args...)
	batch.Queue(facetsSQL, facetsArgs...)
	br := s.pool.SendBatch(ctx, batch)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return page, dbError(err)
	}
	var tickets []portal.Ticket
	page.CreatorNames = map[string]string{}
	for rows.Next() {
		var name *string
		t, err := scanTicket(suffixRow{rows: rows, suffix: []any{&name}})
		if err != nil {
			rows.Close()
			return page, dbError(err)
		}
		if name != nil {
			page.CreatorNames[t.CreatorID()] = *name
		}
		tickets = append(tickets, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return page, dbError(err)
	}
	rows, err = br.Query()
	if err != nil {
		return page, dbError(err)
	}
	cells, names, err := scanFacets(rows)
	if err != nil {
		return page, err
	}
	keys := make([]listpage.Key, len(tickets))
	byID := make(map[string]portal.Ticket, len(tickets))
	for i := range tickets {
		keys[i] = listpage.KeyOf(&tickets[i], q.TicketFilter)
		byID[tickets[i].ID] = tickets[i]
	}
	keys, page.Next = listpage.Page(keys, q.TicketFilter, q.Limit)
	for _, k := range keys {
		page.Tickets = append(page.Tickets, byID[k.ID])
	}
	page.Facets, page.Total = cells.Facets(q.TicketFilter, names)
	return page, nil
}

// countSQL counts the shared Customer tickets created by $1, of the
// companies $2, and both: a tab's total is mine + theirs - both (three
// index counts; an OR of the two would scan).
const countSQL = `SELECT
	(SELECT count(*) FROM tickets t WHERE t.creator_id = $1 AND ` + eligible + `),
	(SELECT count(*) FROM tickets t WHERE t.company_id = ANY($2) AND ` + eligible + `),
	(SELECT count(*) FROM tickets t WHERE t.creator_id = $1 AND t.company_id = ANY($2) AND ` + eligible + `)`

// TicketCounts returns the sizes of the user's two tabs, in one query.
func (s *Store) TicketCounts(ctx context.Context, userID string, companyIDs []string) (portal.TicketCounts, error) {
	var c portal.TicketCounts
	var mine, theirs, both int
	err := s.pool.QueryRow(ctx, countSQL, userID, storableOnly(listpage.Dedupe(companyIDs))).Scan(&mine, &theirs, &both)
	c.Mine, c.All = mine, mine+theirs-both
	return c, dbError(err)
}
