package sqlite

import (
	"context"

	"portalstudio/backend/portal"
)

// TicketsByKey returns the tickets a portal address may name: the one
// whose id is key and the one whose number (ticket_id, what customers
// see) is key, the one by id first; none when neither exists. They come
// without parts, with their creator as their only contact: enough to
// decide who sees them (portal.CanSee). It is one query whichever
// exists, so that the caller can look both up every time.
func (ds *DirectoryStore) TicketsByKey(ctx context.Context, key string) ([]portal.Ticket, error) {
	rows, err := ds.query(ctx, `SELECT `+ticketColumns+` FROM tickets t WHERE t.id = ? OR t.ticket_id = ? ORDER BY t.id <> ?`, key, key, key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []portal.Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
