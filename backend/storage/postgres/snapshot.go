package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"portalstudio/backend/portal"
)

// Snapshot reads the whole dataset as one consistent snapshot (a
// read-only repeatable-read transaction, which never blocks writers): it
// calls header once, then emit for every company (by id), every user (in
// workspace order, with their memberships) and every ticket (by id, with
// its contacts, parts and type). Each record comes whole from one row
// (its children aggregated in the query) and is handed over as it is
// read, never all held in memory. An error from header or emit stops it
// and is returned.
func (s *Store) Snapshot(ctx context.Context, header func(portal.SnapshotHeader) error, emit func(portal.Record) error) error {
	return dbError(pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		h, err := snapshotHeader(ctx, tx)
		if err != nil {
			return err
		}
		if err := header(h); err != nil {
			return err
		}
		if err := snapshotCompanies(ctx, tx, emit); err != nil {
			return err
		}
		if err := snapshotUsers(ctx, tx, emit); err != nil {
			return err
		}
		return snapshotTickets(ctx, tx, emit)
	}))
}

func snapshotHeader(ctx context.Context, tx pgx.Tx) (portal.SnapshotHeader, error) {
	h := portal.SnapshotHeader{Attributes: []portal.Attribute{}, TicketTypes: []portal.TicketType{}}
	err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM companies),
		(SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_types),
		(SELECT count(*) FROM tickets WHERE category = 'Customer' AND is_shared)`).Scan(&h.Counts.Users, &h.Counts.Companies, &h.Counts.Tickets, &h.Counts.TicketTypes, &h.Counts.PortalTickets)
	if err != nil {
		return h, err
	}
	rows, err := tx.Query(ctx, `SELECT scope, key, kind FROM attributes ORDER BY scope COLLATE "C", key COLLATE "C"`)
	if err != nil {
		return h, err
	}
	for rows.Next() {
		var scope, field, kind string
		if err := rows.Scan(&scope, &field, &kind); err != nil {
			rows.Close()
			return h, err
		}
		h.Attributes = append(h.Attributes, portal.CustomAttribute(portal.Scope(scope), field, portal.ValueKind(kind)))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return h, err
	}
	rows, err = tx.Query(ctx, `SELECT id, name, category FROM ticket_types ORDER BY id COLLATE "C"`)
	if err != nil {
		return h, err
	}
	defer rows.Close()
	for rows.Next() {
		var t portal.TicketType
		if err := rows.Scan(&t.ID, &t.Name, &t.Category); err != nil {
			return h, err
		}
		h.TicketTypes = append(h.TicketTypes, t)
	}
	return h, rows.Err()
}

func snapshotCompanies(ctx context.Context, tx pgx.Tx, emit func(portal.Record) error) error {
	rows, err := tx.Query(ctx, `SELECT `+companyColumns+` FROM companies c ORDER BY c.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCompany(rows)
		if err != nil {
			return err
		}
		if err := emit(portal.Record{Company: c}); err != nil {
			return err
		}
	}
	return rows.Err()
}

// suffixRow scans the leading columns with the caller's targets and the
// rest into its own (from rows, or else row).
type suffixRow struct {
	rows   pgx.Rows
	row    pgx.Row
	suffix []any
}

func (r suffixRow) Scan(dest ...any) error {
	if r.rows != nil {
		return r.rows.Scan(append(dest, r.suffix...)...)
	}
	return r.row.Scan(append(dest, r.suffix...)...)
}

func snapshotUsers(ctx context.Context, tx pgx.Tx, emit func(portal.Record) error) error {
	rows, err := tx.Query(ctx, `SELECT `+userColumns+`,
		(SELECT array_agg(m.company_id ORDER BY m.position) FROM memberships m WHERE m.user_seq = u.seq) FROM users u ORDER BY u.seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var companies []string
		u, err := scanUser(suffixRow{rows: rows, suffix: []any{&companies}})
		if err != nil {
			return err
		}
		u.CompanyIDs = companies
		if err := emit(portal.Record{User: u}); err != nil {
			return err
		}
	}
	return rows.Err()
}

func snapshotTickets(ctx context.Context, tx pgx.Tx, emit func(portal.Record) error) error {
	rows, err := tx.Query(ctx, `SELECT `+ticketColumns+`, coalesce(ty.category, ''),
		(SELECT array_agg(c.user_id ORDER BY c.position) FROM ticket_contacts c WHERE c.ticket_id = t.id),
		(SELECT json_agg(json_build_array(p.id, p.part_type, p.body, p.author_type, p.author_id, p.author_name, p.created_at) ORDER BY p.position)::text
			FROM parts p WHERE p.ticket_id = t.id)
		FROM tickets t LEFT JOIN ticket_types ty ON ty.id = t.type_id ORDER BY t.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var typeCategory string
		var contacts []string
		var partsJSON *string
		t, err := scanTicket(suffixRow{rows: rows, suffix: []any{&typeCategory, &contacts, &partsJSON}})
		if err != nil {
			return err
		}
		t.ContactIDs = contacts
		if partsJSON != nil {
			var raw [][]json.RawMessage
			if err := json.Unmarshal([]byte(*partsJSON), &raw); err != nil {
				return err
			}
			for _, r := range raw {
				var p portal.Part
				var created int64
				for i, dst := range []any{&p.ID, &p.PartType, &p.Body, &p.AuthorType, &p.AuthorID, &p.AuthorName, &created} {
					if err := json.Unmarshal(r[i], dst); err != nil {
						return err
					}
				}
				p.CreatedAt = time.Unix(created, 0).UTC()
				t.Parts = append(t.Parts, p)
			}
		}
		rec := portal.Record{Ticket: &t}
		if t.TypeID != "" {
			rec.TicketType = &portal.TicketType{ID: t.TypeID, Name: t.TypeName, Category: typeCategory}
		}
		if err := emit(rec); err != nil {
			return err
		}
	}
	return rows.Err()
}
