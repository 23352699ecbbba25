package sqlite

import (
	"context"
	"portalstudio/backend/portal"
)

// This file holds the dataset's attribute schema and sizes.

// Schema returns the workspace's attribute schema: the standard attributes
// and the custom ones discovered on import.
func (ws *Workspace) Schema(ctx context.Context) (*portal.Schema, error) {
	ws.rc.mu.Lock()
	serverCache := ws.rc.on
	ws.rc.mu.Unlock()
	if serverCache {
		return ws.cachedSchema(ctx)
	}
	// The schema changes only with an import, and every import bumps the
	// dataset generation (one indexed row): keep the schema of the
	// generation last read.
	g, err := generation(ctx, ws.db)
	if err != nil {
		return nil, err
	}
	ws.schemaMu.Lock()
	if ws.schemaGen == g && ws.schemaCache != nil {
		s := ws.schemaCache
		ws.schemaMu.Unlock()
		return s, nil
	}
	ws.schemaMu.Unlock()
	s, err := ws.schema(ctx, ws.db)
	if err != nil {
		return nil, err
	}
	// Keep it only if no import committed meanwhile.
	if g2, err := generation(ctx, ws.db); err == nil && g2 == g {
		ws.schemaMu.Lock()
		ws.schemaGen, ws.schemaCache = g, s
		ws.schemaMu.Unlock()
	}
	return s, nil
}

func (d *DB) schema(ctx context.Context, q queryer) (*portal.Schema, error) {
	rows, err := q.QueryContext(ctx, `SELECT scope, key, kind FROM attributes ORDER BY scope, key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var custom []portal.Attribute
	for rows.Next() {
		var a portal.Attribute
		var scope, kind string
		if err := rows.Scan(&scope, &a.Field, &kind); err != nil {
			return nil, err
		}
		a.Scope, a.Kind = portal.Scope(scope), portal.ValueKind(kind)
		custom = append(custom, a)
	}
	return portal.NewSchema(custom), rows.Err()
}

// Counts returns how many users, companies, tickets and types there are.
func (ws *Workspace) Counts(ctx context.Context) (portal.Counts, error) {
	var c portal.Counts
	err := ws.queryRow(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM companies),
		(SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_types),
		(SELECT count(*) FROM tickets WHERE category = 'Customer' AND is_shared = 1)`).Scan(&c.Users, &c.Companies, &c.Tickets, &c.TicketTypes, &c.PortalTickets)
	return c, err
}
