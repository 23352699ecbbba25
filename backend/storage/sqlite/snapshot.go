package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"portalstudio/backend/portal"
)

// Snapshot reads the whole dataset as one consistent snapshot (a read
// transaction that never blocks writers): it calls header once, then emit
// for every company (by id), every user (in workspace order, with their
// memberships) and every ticket (by id, with its contacts, parts and
// type). Records are read and handed over one at a time, never held all
// in memory. An error from header or emit stops the snapshot and is
// returned.
func (ss *SnapshotStore) Snapshot(ctx context.Context, header func(portal.SnapshotHeader) error, emit func(portal.Record) error) error {
	conn, err := ss.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// A deferred transaction takes no write lock (the driver's own Begin
	// would take one: the workspace opens with _txlock=immediate).
	if _, err := conn.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), `ROLLBACK`)
	s := snapshot{ctx: ctx, conn: conn, emit: emit}
	h, err := s.header()
	if err != nil {
		return err
	}
	if err := header(h); err != nil {
		return err
	}
	for _, step := range []func() error{s.companies, s.users, s.tickets} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// snapshot is one Snapshot in progress.
type snapshot struct {
	ctx  context.Context
	conn *sql.Conn
	emit func(portal.Record) error
}

func (s *snapshot) header() (portal.SnapshotHeader, error) {
	h := portal.SnapshotHeader{Attributes: []portal.Attribute{}, TicketTypes: []portal.TicketType{}}
	err := s.conn.QueryRowContext(s.ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM companies),
		(SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_types),
		(SELECT count(*) FROM tickets WHERE category = 'Customer' AND is_shared = 1)`).Scan(&h.Counts.Users, &h.Counts.Companies, &h.Counts.Tickets, &h.Counts.TicketTypes, &h.Counts.PortalTickets)
	if err != nil {
		return h, err
	}
	rows, err := s.conn.QueryContext(s.ctx, `SELECT scope, key, kind FROM attributes ORDER BY scope, key`)
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
	rows, err = s.conn.QueryContext(s.ctx, `SELECT id, name, category FROM ticket_types ORDER BY id`)
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

func (s *snapshot) companies() error {
	rows, err := s.conn.QueryContext(s.ctx, `SELECT `+companyColumns+` FROM companies c ORDER BY c.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCompany(rows)
		if err != nil {
			return err
		}
		if err := s.emit(portal.Record{Company: c}); err != nil {
			return err
		}
	}
	return rows.Err()
}

// prefixScanner scans leading columns into its own targets, then the rest
// with the wrapped scanner's callers' targets.
type prefixScanner struct {
	rows   *sql.Rows
	prefix []any
}

func (p prefixScanner) Scan(dest ...any) error {
	return p.rows.Scan(append(append([]any{}, p.prefix...), dest...)...)
}

func (s *snapshot) users() error {
	users, err := s.conn.QueryContext(s.ctx, `SELECT seq, `+userColumns+` FROM users ORDER BY seq`)
	if err != nil {
		return err
	}
	defer users.Close()
	// Memberships in user order (the primary key's), merged with the
	// users; within a user they are sorted by position.
	members, err := s.conn.QueryContext(s.ctx, `SELECT user_seq, company_id, position FROM memberships ORDER BY user_seq`)
	if err != nil {
		return err
	}
	defer members.Close()
	type member struct {
		seq      int64
		company  string
		position int
	}
	var pending *member
	nextMember := func() (*member, error) {
		if pending != nil {
			m := pending
			pending = nil
			return m, nil
		}
		if !members.Next() {
			return nil, members.Err()
		}
		var m member
		err := members.Scan(&m.seq, &m.company, &m.position)
		return &m, err
	}
	for users.Next() {
		var seq int64
		u, err := scanUser(prefixScanner{rows: users, prefix: []any{&seq}})
		if err != nil {
			return err
		}
		var mine []member
		for {
			m, err := nextMember()
			if err != nil {
				return err
			}
			if m == nil {
				break
			}
			if m.seq > seq {
				pending = m
				break
			}
			if m.seq == seq {
				mine = append(mine, *m)
			}
		}
		sort.Slice(mine, func(i, j int) bool { return mine[i].position < mine[j].position })
		for _, m := range mine {
			u.CompanyIDs = append(u.CompanyIDs, m.company)
		}
		if err := s.emit(portal.Record{User: u}); err != nil {
			return err
		}
	}
	return users.Err()
}

func (s *snapshot) tickets() error {
	tickets, err := s.conn.QueryContext(s.ctx, `SELECT `+ticketColumns+`, coalesce(ty.category, '') FROM tickets t
		LEFT JOIN ticket_types ty ON ty.id = t.type_id ORDER BY t.id`)
	if err != nil {
		return err
	}
	defer tickets.Close()
	contacts, err := s.conn.QueryContext(s.ctx, `SELECT ticket_id, user_id FROM ticket_contacts ORDER BY ticket_id, position`)
	if err != nil {
		return err
	}
	defer contacts.Close()
	parts, err := s.conn.QueryContext(s.ctx, `SELECT ticket_id, id, part_type, body, author_type, author_id, author_name, created_at
		FROM parts ORDER BY ticket_id, position`)
	if err != nil {
		return err
	}
	defer parts.Close()
	contactRows := mergeCursor[string]{rows: contacts, scan: func(r *sql.Rows) (string, string, error) {
		var tid, uid string
		err := r.Scan(&tid, &uid)
		return tid, uid, err
	}}
	partRows := mergeCursor[portal.Part]{rows: parts, scan: func(r *sql.Rows) (string, portal.Part, error) {
		var tid string
		var p portal.Part
		var created int64
		err := r.Scan(&tid, &p.ID, &p.PartType, &p.Body, &p.AuthorType, &p.AuthorID, &p.AuthorName, &created)
		p.CreatedAt = timeOf(sql.NullInt64{Int64: created, Valid: true})
		return tid, p, err
	}}
	var typeCategory string
	sc := newTicketScanner(&typeCategory)
	for tickets.Next() {
		t, err := sc.scan(tickets)
		if err != nil {
			return err
		}
		if t.ContactIDs, err = contactRows.take(t.ID); err != nil {
			return err
		}
		if t.Parts, err = partRows.take(t.ID); err != nil {
			return err
		}
		rec := portal.Record{Ticket: &t}
		if t.TypeID != "" {
			rec.TicketType = &portal.TicketType{ID: t.TypeID, Name: t.TypeName, Category: typeCategory}
		}
		if err := s.emit(rec); err != nil {
			return err
		}
	}
	return tickets.Err()
}

// mergeCursor walks child rows sorted by their ticket id alongside the
// tickets, sorted the same way.
type mergeCursor[T any] struct {
	rows    *sql.Rows
	scan    func(*sql.Rows) (string, T, error)
	key     string
	val     T
	loaded  bool
	done    bool
	lastKey string
}

// take returns the rows of ticket id, skipping rows of lower ids.
func (c *mergeCursor[T]) take(id string) ([]T, error) {
	var out []T
	for {
		if !c.loaded && !c.done {
			if !c.rows.Next() {
				c.done = true
				if err := c.rows.Err(); err != nil {
					return nil, err
				}
			} else {
				k, v, err := c.scan(c.rows)
				if err != nil {
					return nil, err
				}
				if k < c.lastKey {
					return nil, fmt.Errorf("snapshot: child rows out of order (%q after %q)", k, c.lastKey)
				}
				c.key, c.val, c.loaded, c.lastKey = k, v, true, k
			}
		}
		if c.done || c.key > id {
			return out, nil
		}
		if c.key == id {
			out = append(out, c.val)
		}
		c.loaded = false
	}
}

// seed records the attribute schema and ticket types an import brings
// along (portal.ImportOptions.Attributes, TicketTypes) before its records.
func (im *importer) seed(opt portal.ImportOptions) error {
	for _, a := range opt.Attributes {
		if a.Field == "" || (a.Scope != portal.ScopeUser && a.Scope != portal.ScopeCompany) {
			return portal.Errorf(portal.EINVALID, "the attribute %q of scope %q cannot be recorded", a.Field, a.Scope)
		}
		switch a.Kind {
		case portal.KindString, portal.KindNumber, portal.KindBoolean, portal.KindDate:
		default:
			return portal.Errorf(portal.EINVALID, "the attribute %s.%s has an unknown type %q", a.Scope, a.Field, a.Kind)
		}
		if _, ok := im.kinds[string(a.Scope)+"/"+a.Field]; ok {
			continue
		}
		im.kinds[string(a.Scope)+"/"+a.Field] = a.Kind
		if err := im.exec("attr", string(a.Scope), a.Field, string(a.Kind)); err != nil {
			return err
		}
	}
	for _, t := range opt.TicketTypes {
		if t.ID == "" {
			continue
		}
		if err := im.exec("ticketType", t.ID, t.Name, t.Category); err != nil {
			return err
		}
	}
	return nil
}
