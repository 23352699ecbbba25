package sqlite

import (
	"context"

	"portalstudio/backend/portal"
)

// This file holds the dataset's attribute schema and sizes.

// Schema returns the workspace's attribute schema: the standard attributes
// and the custom ones discovered on import.
func (ds *DirectoryStore) Schema(ctx context.Context) (*portal.Schema, error) {
	if ds.cachingReads() {
		return ds.cachedSchema(ctx)
	}
	// The schema changes only with an import, and every import bumps the
	// dataset generation (one indexed row): keep the schema of the
	// generation last read.
	g, err := ds.generation(ctx)
	if err != nil {
		return nil, err
	}
	ds.gs.mu.Lock()
	if ds.gs.gen == g && ds.gs.schema != nil {
		s := ds.gs.schema
		ds.gs.mu.Unlock()
		return s, nil
	}
	ds.gs.mu.Unlock()
	s, err := ds.schema(ctx, ds.db)
	if err != nil {
		return nil, err
	}
	// Keep it only if no import committed meanwhile.
	if g2, err := ds.generation(ctx); err == nil && g2 == g {
		ds.gs.mu.Lock()
		ds.gs.gen, ds.gs.schema = g, s
		ds.gs.mu.Unlock()
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
func (ds *DirectoryStore) Counts(ctx context.Context) (portal.Counts, error) {
	var c portal.Counts
	err := ds.queryRow(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM companies),
		(SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_types),
		(SELECT count(*) FROM tickets WHERE category = 'Customer' AND is_shared = 1)`).Scan(&c.Users, &c.Companies, &c.Tickets, &c.TicketTypes, &c.PortalTickets)
	return c, err
}
