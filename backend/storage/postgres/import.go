package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"portalstudio/backend/portal"
)

// An import is one transaction: the records are checked in Go in the order
// they come (the unique keys against the database and the records before
// them), streamed in batches with COPY into temporary staging tables, and
// merged into the dataset by a few set statements at the end (the last
// record of each id wins, as upserts one by one would leave it). A bad
// file, a strict import with rejections or a lost connection roll
// everything back. Other replicas go on reading the data as it was until
// the commit.

// batchSize is how many records are checked and copied at once.
const batchSize = 2000

// stagingDDL makes the staging tables (dropped at commit). pos is the
// record's place in the import.
const stagingDDL = `
CREATE TEMP TABLE stage_users (pos bigint, id text, id_fold text, external_id text, external_id_fold text, email text, email_fold text,
	name text, name_fold text, role text, role_fold text, created_at bigint, signed_up_at bigint, last_seen_at bigint, custom text) ON COMMIT DROP;
CREATE TEMP TABLE stage_user_attrs (pos bigint, user_id text, key text, kind text, str text, num double precision) ON COMMIT DROP;
CREATE TEMP TABLE stage_members (pos bigint, user_id text, company_id text, position integer) ON COMMIT DROP;
CREATE TEMP TABLE stage_companies (pos bigint, id text, id_fold text, company_id text, company_id_fold text, name text, name_fold text,
	plan text, plan_fold text, size double precision, industry text, industry_fold text, website text, website_fold text,
	monthly_spend double precision, created_at bigint, custom text) ON COMMIT DROP;
CREATE TEMP TABLE stage_company_attrs (pos bigint, company_id text, key text, kind text, str text, num double precision) ON COMMIT DROP;
CREATE TEMP TABLE stage_types (pos bigint, id text, name text, category text) ON COMMIT DROP;
CREATE TEMP TABLE stage_tickets (pos bigint, id text, ticket_id text, title text, description text, category text, is_shared boolean,
	state_category text, state_label text, type_id text, type_name text, creator_id text, company_id text, created_at bigint,
	updated_at bigint, open boolean, search tsvector) ON COMMIT DROP;
CREATE TEMP TABLE stage_contacts (pos bigint, ticket_id text, position integer, user_id text) ON COMMIT DROP;
CREATE TEMP TABLE stage_parts (pos bigint, ticket_id text, position integer, id text, part_type text, body text, author_type text,
	author_id text, author_name text, created_at bigint) ON COMMIT DROP;
`

var stageColumns = map[string][]string{
	"stage_users": {"pos", "id", "id_fold", "external_id", "external_id_fold", "email", "email_fold", "name", "name_fold", "role", "role_fold",
		"created_at", "signed_up_at", "last_seen_at", "custom"},
	"stage_user_attrs": {"pos", "user_id", "key", "kind", "str", "num"},
	"stage_members":    {"pos", "user_id", "company_id", "position"},
	"stage_companies": {"pos", "id", "id_fold", "company_id", "company_id_fold", "name", "name_fold", "plan", "plan_fold", "size",
		"industry", "industry_fold", "website", "website_fold", "monthly_spend", "created_at", "custom"},
	"stage_company_attrs": {"pos", "company_id", "key", "kind", "str", "num"},
	"stage_types":         {"pos", "id", "name", "category"},
	"stage_tickets": {"pos", "id", "ticket_id", "title", "description", "category", "is_shared", "state_category", "state_label",
		"type_id", "type_name", "creator_id", "company_id", "created_at", "updated_at", "open", "search"},
	"stage_contacts": {"pos", "ticket_id", "position", "user_id"},
	"stage_parts":    {"pos", "ticket_id", "position", "id", "part_type", "body", "author_type", "author_id", "author_name", "created_at"},
}

// mergeSQL moves the staged records into the dataset: for each id the
// record imported last; new users are numbered in the order they first
// came (a ticket's number is internal: it orders nothing). Children
// (attributes, memberships, contacts, parts) are replaced for every
// object imported. The tickets' cells (ticket_cells: the counts the
// lists' facets add up) move by the difference between the tickets
// replaced and their new records, reckoned under the workspace's merge
// lock (mergeLock), so that two imports of the same tickets never count
// from the same old rows. A cell a merge would take below zero fails the
// import (its CHECK): never a wrong count.
//
// Where no user (or ticket) came twice, every staged one is the last of
// its id: the merge takes the staging tables as they are, without sorting
// them by id or joining the children to the last records (mergeFor). A
// whole export is the usual import, and for 2,000,000 tickets the sort
// and the joins were a fifth of the merge.
const mergeSQL = `
SET CONSTRAINTS ALL DEFERRED;
` + mergeLock + `;

INSERT INTO ticket_types (id, name, category)
SELECT DISTINCT ON (id) id, name, category FROM stage_types ORDER BY id, pos DESC
ON CONFLICT (id) DO UPDATE SET name = excluded.name, category = excluded.category;

CREATE TEMP TABLE last_users ON COMMIT DROP AS
{{last_users}};

{{users}}

DELETE FROM user_attrs a USING users u, last_users l WHERE a.user_seq = u.seq AND u.id = l.id;
DELETE FROM memberships m USING users u, last_users l WHERE m.user_seq = u.seq AND u.id = l.id;
INSERT INTO user_attrs (user_seq, key, kind, str, num)
SELECT u.seq, a.key, a.kind, a.str, a.num FROM stage_user_attrs a{{of_last_user a}} JOIN users u ON u.id = a.user_id;
INSERT INTO memberships (user_seq, company_id, position)
SELECT u.seq, m.company_id, m.position FROM stage_members m{{of_last_user m}} JOIN users u ON u.id = m.user_id
ORDER BY u.seq, m.position
ON CONFLICT DO NOTHING;

CREATE TEMP TABLE last_companies ON COMMIT DROP AS
SELECT DISTINCT ON (id) * FROM stage_companies ORDER BY id, pos DESC;
INSERT INTO companies (id, id_fold, company_id, company_id_fold, name, name_fold, plan, plan_fold, size, industry, industry_fold, website, website_fold, monthly_spend, created_at, custom)
SELECT id, id_fold, company_id, company_id_fold, name, name_fold, plan, plan_fold, size, industry, industry_fold, website, website_fold, monthly_spend, created_at, custom
FROM last_companies
ON CONFLICT (id) DO UPDATE SET company_id = excluded.company_id, company_id_fold = excluded.company_id_fold,
	name = excluded.name, name_fold = excluded.name_fold, plan = excluded.plan, plan_fold = excluded.plan_fold,
	size = excluded.size, industry = excluded.industry, industry_fold = excluded.industry_fold,
	website = excluded.website, website_fold = excluded.website_fold, monthly_spend = excluded.monthly_spend,
	created_at = excluded.created_at, custom = excluded.custom;
DELETE FROM company_attrs a USING last_companies l WHERE a.company_id = l.id;
INSERT INTO company_attrs (company_id, key, kind, str, num)
SELECT a.company_id, a.key, a.kind, a.str, a.num FROM stage_company_attrs a JOIN last_companies l ON l.id = a.company_id AND l.pos = a.pos;

CREATE TEMP TABLE last_tickets ON COMMIT DROP AS
{{last_tickets}};
CREATE TEMP TABLE cell_delta ON COMMIT DROP AS
SELECT company_id, state_category, type_id, sum(d)::bigint AS d FROM (
	SELECT t.company_id, t.state_category, t.type_id, -1 AS d FROM tickets t JOIN last_tickets l ON l.id = t.id
	WHERE t.company_id IS NOT NULL AND t.category = 'Customer' AND t.is_shared
	UNION ALL
	SELECT l.company_id, l.state_category, l.type_id, 1 FROM last_tickets l
	WHERE l.company_id IS NOT NULL AND l.category = 'Customer' AND l.is_shared) x
GROUP BY company_id, state_category, type_id HAVING sum(d) <> 0;
INSERT INTO tickets (id, ticket_id, title, description, category, is_shared, state_category, state_label, type_id, type_name, creator_id, company_id, created_at, updated_at, open, search)
SELECT s.id, s.ticket_id, s.title, s.description, s.category, s.is_shared, s.state_category, s.state_label, s.type_id, s.type_name, s.creator_id, s.company_id, s.created_at, s.updated_at, s.open, s.search
FROM stage_tickets s{{of_last_ticket s}}
ON CONFLICT (id) DO UPDATE SET ticket_id = excluded.ticket_id, title = excluded.title, description = excluded.description,
	category = excluded.category, is_shared = excluded.is_shared, state_category = excluded.state_category,
	state_label = excluded.state_label, type_id = excluded.type_id, type_name = excluded.type_name,
	creator_id = excluded.creator_id, company_id = excluded.company_id, created_at = excluded.created_at,
	updated_at = excluded.updated_at, open = excluded.open, search = excluded.search;
DELETE FROM ticket_cells c USING cell_delta d
WHERE c.company_id = d.company_id AND c.state_category = d.state_category AND c.type_id = d.type_id AND c.n + d.d = 0;
UPDATE ticket_cells c SET n = c.n + d.d FROM cell_delta d
WHERE c.company_id = d.company_id AND c.state_category = d.state_category AND c.type_id = d.type_id;
INSERT INTO ticket_cells (company_id, state_category, type_id, n)
SELECT d.company_id, d.state_category, d.type_id, d.d FROM cell_delta d
WHERE d.d > 0 AND NOT EXISTS (SELECT 1 FROM ticket_cells c
	WHERE c.company_id = d.company_id AND c.state_category = d.state_category AND c.type_id = d.type_id);
DELETE FROM ticket_contacts c USING last_tickets l WHERE c.ticket_id = l.id;
DELETE FROM parts p USING last_tickets l WHERE p.ticket_id = l.id;
INSERT INTO ticket_contacts (ticket_id, position, user_id)
SELECT c.ticket_id, c.position, c.user_id FROM stage_contacts c{{of_last_ticket c}};
INSERT INTO parts (ticket_id, position, id, part_type, body, author_type, author_id, author_name, created_at)
SELECT p.ticket_id, p.position, p.id, p.part_type, p.body, p.author_type, p.author_id, p.author_name, p.created_at
FROM stage_parts p{{of_last_ticket p}};
`

// mergeFor returns the merge of an import: fresh, into the dataset a
// Replace import emptied; usersTwice and ticketsTwice, whether a user or
// a ticket id was staged more than once (then the last record of each id
// is picked out, and only its children are kept).
func mergeFor(fresh, usersTwice, ticketsTwice bool) string {
	users := upsertUsers
	if fresh {
		users = freshUsers
	}
	lastUsers := `SELECT s.*, pos AS first FROM stage_users s`
	if usersTwice {
		lastUsers = `SELECT DISTINCT ON (id) s.*, min(pos) OVER (PARTITION BY id) AS first FROM stage_users s ORDER BY id, pos DESC`
	}
	lastTickets := `SELECT id, pos, company_id, state_category, type_id, category, is_shared FROM stage_tickets`
	if ticketsTwice {
		lastTickets = `SELECT DISTINCT ON (id) id, pos, company_id, state_category, type_id, category, is_shared FROM stage_tickets ORDER BY id, pos DESC`
	}
	r := []string{"{{users}}", users, "{{last_users}}", lastUsers, "{{last_tickets}}", lastTickets}
	for _, a := range []string{"a", "m"} {
		join := ""
		if usersTwice {
			join = " JOIN last_users l ON l.id = " + a + ".user_id AND l.pos = " + a + ".pos"
		}
		r = append(r, "{{of_last_user "+a+"}}", join)
	}
	for a, col := range map[string]string{"s": "id", "c": "ticket_id", "p": "ticket_id"} {
		join := ""
		if ticketsTwice {
			join = " JOIN last_tickets l ON l.id = " + a + "." + col + " AND l.pos = " + a + ".pos"
		}
		r = append(r, "{{of_last_ticket "+a+"}}", join)
	}
	return strings.NewReplacer(r...).Replace(mergeSQL)
}

// upsertUsers writes the staged users: new ones numbered in the order
// they first came.
const upsertUsers = `INSERT INTO users (id, id_fold, external_id, external_id_fold, email, email_fold, name, name_fold, role, role_fold, created_at, signed_up_at, last_seen_at, custom)
SELECT id, id_fold, external_id, external_id_fold, email, email_fold, name, name_fold, role, role_fold, created_at, signed_up_at, last_seen_at, custom
FROM last_users ORDER BY first
ON CONFLICT (id) DO UPDATE SET external_id = excluded.external_id, external_id_fold = excluded.external_id_fold,
	email = excluded.email, email_fold = excluded.email_fold, name = excluded.name, name_fold = excluded.name_fold,
	role = excluded.role, role_fold = excluded.role_fold, created_at = excluded.created_at,
	signed_up_at = excluded.signed_up_at, last_seen_at = excluded.last_seen_at, custom = excluded.custom;`

// freshUsers writes the users of a Replace import into the emptied table,
// numbered 1, 2, 3… in the order they came (audience sets stay dense),
// and moves the identity on past them, never back (an identity value is
// not rolled back with the transaction).
const freshUsers = `INSERT INTO users (seq, id, id_fold, external_id, external_id_fold, email, email_fold, name, name_fold, role, role_fold, created_at, signed_up_at, last_seen_at, custom)
SELECT row_number() OVER (ORDER BY first), id, id_fold, external_id, external_id_fold, email, email_fold, name, name_fold, role, role_fold, created_at, signed_up_at, last_seen_at, custom
FROM last_users ORDER BY first;
SELECT setval(pg_get_serial_sequence('users', 'seq'), greatest((SELECT coalesce(max(seq), 1) FROM users),
	coalesce(pg_sequence_last_value(pg_get_serial_sequence('users', 'seq')::regclass), 1)));`

// mergeLock serializes the merges of a workspace's imports (the
// staging, the long part, runs side by side): an advisory lock held to the
// commit, named by the workspace's schema.
const mergeLock = `SELECT pg_advisory_xact_lock(hashtext(current_schema() || '/portalstudio-merge'))`

// replaceSQL empties the dataset for a Replace import (DELETE, not
// TRUNCATE: other replicas go on reading the old data until the commit).
// It takes the merge lock first: it holds every ticket's row from here to
// the commit, which another import's merge would wait for while holding
// the lock this import's merge needs.
const replaceSQL = mergeLock + `;
DELETE FROM parts; DELETE FROM ticket_contacts; DELETE FROM tickets; DELETE FROM ticket_cells; DELETE FROM ticket_types;
DELETE FROM memberships; DELETE FROM user_attrs; DELETE FROM users;
DELETE FROM company_attrs; DELETE FROM companies; DELETE FROM attributes;
`

// importer checks and stages the records of one import.
type importer struct {
	ctx   context.Context
	tx    pgx.Tx
	rep   *portal.ImportReport
	kinds map[string]portal.ValueKind // "user/seats" → kind, as discovered
	// newAttrs are the attributes this import discovered, in order.
	newAttrs [][]any
	// The unique keys as this import left them: key → the object that
	// claimed it, and object → the key it holds now.
	keys map[string]*keyOwners
	pos  int64
	// types are the ticket types as last staged, by id.
	types map[string]portal.TicketType
	// twice says which kinds of record had an id staged more than once.
	twice map[string]bool
	// batch holds the records not yet checked and staged.
	batch []prepared
	rows  map[string][][]any
	n     int
	opt   portal.ImportOptions
	// vector is the search vector of the ticket being staged.
	vector any
}

// prepared is a record with its search vector, made ahead of the writer.
type prepared = portal.Prepared[any]

// pipeline runs src through portal.PipeRecords, each ticket's search
// vector made ahead of put.
func pipeline(ctx context.Context, src portal.RecordSource, put func(prepared) error) ([]portal.Rejection, error) {
	return portal.PipeRecords(ctx, src, 1024, func(r portal.Record) any {
		if r.Ticket == nil {
			return nil
		}
		return searchVector(r.Ticket)
	}, put)
}

// keyOwners tracks one unique key (external_id, company_id or ticket_id)
// through an import.
type keyOwners struct {
	table, column string
	claimedBy     map[string]string // key → id that claimed it last
	holds         map[string]string // id → key it holds now ("" none)
}

func newKeyOwners(table, column string) *keyOwners {
	return &keyOwners{table: table, column: column, claimedBy: map[string]string{}, holds: map[string]string{}}
}

// owner returns the object other than id holding key, given the owners in
// the database before the import (db).
func (k *keyOwners) owner(key, id string, db map[string]string) string {
	if key == "" {
		return ""
	}
	if o, ok := k.claimedBy[key]; ok && k.holds[o] == key && o != id {
		return o
	}
	if o, ok := db[key]; ok && o != id {
		if _, touched := k.holds[o]; !touched {
			return o
		}
	}
	return ""
}

func (k *keyOwners) claim(key, id string) {
	k.holds[id] = key
	if key != "" {
		k.claimedBy[key] = id
	}
}

// Import upserts (by id) every record src emits, in one transaction (see
// the comment at the top of the file). A record that would give a
// contact's external_id, a company's company_id or a ticket's ticket_id
// to a second object is rejected; with opt.Strict any rejection rolls
// everything back.
func (s *Store) Import(ctx context.Context, src portal.RecordSource, opt portal.ImportOptions) (portal.ImportReport, error) {
	var rep portal.ImportReport
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if opt.Replace {
			if _, err := tx.Exec(ctx, replaceSQL); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, stagingDDL); err != nil {
			return err
		}
		im := &importer{ctx: ctx, tx: tx, rep: &rep, kinds: map[string]portal.ValueKind{}, rows: map[string][][]any{}, opt: opt, twice: map[string]bool{}, types: map[string]portal.TicketType{},
			keys: map[string]*keyOwners{
				"contact": newKeyOwners("users", "external_id"),
				"company": newKeyOwners("companies", "company_id"),
				"ticket":  newKeyOwners("tickets", "ticket_id"),
			}}
		rows, err := tx.Query(ctx, `SELECT scope, key, kind FROM attributes`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var scope, key, kind string
			if err := rows.Scan(&scope, &key, &kind); err != nil {
				rows.Close()
				return err
			}
			im.kinds[scope+"/"+key] = portal.ValueKind(kind)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, a := range opt.Attributes {
			if a.Field == "" || (a.Scope != portal.ScopeUser && a.Scope != portal.ScopeCompany) {
				return portal.Errorf(portal.EINVALID, "the attribute %q of scope %q cannot be recorded", a.Field, a.Scope)
			}
			switch a.Kind {
			case portal.KindString, portal.KindNumber, portal.KindBoolean, portal.KindDate:
			default:
				return portal.Errorf(portal.EINVALID, "the attribute %s.%s has an unknown type %q", a.Scope, a.Field, a.Kind)
			}
			im.attr(string(a.Scope), a.Field, a.Kind)
		}
		for _, tt := range opt.TicketTypes {
			if tt.ID == "" {
				continue
			}
			im.pos++
			im.rows["stage_types"] = append(im.rows["stage_types"], []any{im.pos, tt.ID, tt.Name, tt.Category})
		}
		readRej, err := pipeline(ctx, src, func(p prepared) error {
			im.batch = append(im.batch, p)
			if len(im.batch) >= batchSize {
				return im.flush()
			}
			return nil
		})
		rep.Rejected = append(readRej, rep.Rejected...)
		if err != nil {
			return err
		}
		if err := im.flush(); err != nil {
			return err
		}
		if len(rep.Rejected) > 0 && opt.Strict {
			return portal.Errorf(portal.EINVALID, "%d record(s) were rejected, so nothing was imported (--strict); fix them, or import without --strict to keep the valid ones", len(rep.Rejected))
		}
		if len(im.newAttrs) > 0 {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"attributes"}, []string{"scope", "key", "kind"}, pgx.CopyFromRows(im.newAttrs)); err != nil {
				return fmt.Errorf("attributes: %w", err)
			}
		}
		merge := mergeFor(opt.Replace, im.twice["contact"], im.twice["ticket"])
		if _, err := tx.Exec(ctx, merge); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		return bumpGeneration(ctx, tx)
	})
	if err == nil {
		rep.Committed = true
		s.dataChanged()
		if n := rep.Contacts + rep.Companies + rep.Tickets; n >= bigImport || opt.Replace {
			// Fresh statistics for the planner, and the visibility map set
			// so that the portal's counts are index-only scans. Not part of
			// the import: a failure here changes nothing that was written.
			if _, verr := s.pool.Exec(ctx, `VACUUM (ANALYZE) users, user_attrs, memberships, companies, company_attrs, tickets, ticket_contacts, parts`); verr != nil {
				if s.notice != nil {
					s.notice(fmt.Sprintf("the import is saved; refreshing the database's statistics after it failed (%v): run VACUUM ANALYZE on the database", verr))
				}
			}
		}
	}
	return rep, err
}

// bigImport is how many records make an import worth a VACUUM (ANALYZE)
// of the dataset's tables right after it.
const bigImport = 10000

// attr records the kind of a custom attribute the first time it is seen.
func (im *importer) attr(scope, key string, kind portal.ValueKind) portal.ValueKind {
	if k, ok := im.kinds[scope+"/"+key]; ok {
		return k
	}
	im.kinds[scope+"/"+key] = kind
	im.newAttrs = append(im.newAttrs, []any{scope, key, string(kind)})
	return kind
}

// flush checks the batch's records in order and copies the accepted ones
// into the staging tables.
func (im *importer) flush() error {
	if len(im.batch) == 0 {
		return nil
	}
	// The owners, before the import, of the unique keys the batch names:
	// one query per key.
	want := map[string][]string{}
	for _, p := range im.batch {
		if _, key := p.Rec.UniqueKey(); key != "" {
			want[p.Rec.Kind()] = append(want[p.Rec.Kind()], key)
		}
	}
	db := map[string]map[string]string{}
	for kind, keys := range want {
		k := im.keys[kind]
		rows, err := im.tx.Query(im.ctx, `SELECT `+k.column+`, id FROM `+k.table+` WHERE `+k.column+` = ANY($1)`, keys)
		if err != nil {
			return err
		}
		m := map[string]string{}
		for rows.Next() {
			var key, id string
			if err := rows.Scan(&key, &id); err != nil {
				rows.Close()
				return err
			}
			m[key] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		db[kind] = m
	}
	for _, p := range im.batch {
		r := p.Rec
		im.pos++
		im.vector = p.Made
		reason, err := im.stage(r, db)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", r.Source.File, r.Source.Line, err)
		}
		if reason != "" {
			im.rep.Rejected = append(im.rep.Rejected, portal.Rejection{Source: r.Source, Kind: r.Kind(), ID: r.ID(), Reason: reason})
		}
		im.n++
		if im.opt.Progress != nil && im.n%1000 == 0 {
			im.opt.Progress(im.n)
		}
	}
	im.batch = im.batch[:0]
	for table, rows := range im.rows {
		if len(rows) == 0 {
			continue
		}
		if _, err := im.tx.CopyFrom(im.ctx, pgx.Identifier{table}, stageColumns[table], pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
		im.rows[table] = rows[:0]
	}
	return nil
}

func (im *importer) add(table string, row ...any) { im.rows[table] = append(im.rows[table], row) }

// stage checks one record and stages it; it returns a rejection reason,
// or an error.
func (im *importer) stage(r portal.Record, db map[string]map[string]string) (string, error) {
	if !recordStorable(r) {
		return "a text field holds a NUL character or is not UTF-8, which PostgreSQL cannot store", nil
	}
	if reason := r.Problem(); reason != "" {
		return reason, nil
	}
	_, key := r.UniqueKey()
	keys := im.keys[r.Kind()]
	if other := keys.owner(key, r.ID(), db[r.Kind()]); other != "" {
		return r.KeyTaken(other), nil
	}
	if _, seen := keys.holds[r.ID()]; seen {
		im.twice[r.Kind()] = true
	}
	keys.claim(key, r.ID())
	switch {
	case r.User != nil:
		return im.stageUser(r.User)
	case r.Company != nil:
		return im.stageCompany(r.Company)
	}
	return im.stageTicket(r.Ticket, r.TicketType)
}

func (im *importer) stageUser(u *portal.User) (string, error) {
	custom, err := json.Marshal(u.Custom)
	if err != nil {
		return "", err
	}
	im.add("stage_users", im.pos, u.ID, portal.Fold(u.ID), nullStr(u.ExternalID), nullFold(u.ExternalID),
		nullStr(u.Email), nullFold(u.Email), nullStr(u.Name), nullFold(u.Name), nullStr(u.Role), nullFold(u.Role),
		nullTime(u.CreatedAt), nullTime(u.SignedUpAt), nullTime(u.LastSeenAt), string(custom))
	im.attrs("user", "stage_user_attrs", u.ID, u.Custom)
	for i, c := range u.CompanyIDs {
		if c != "" {
			im.add("stage_members", im.pos, u.ID, c, int32(i))
		}
	}
	im.rep.Contacts++
	return "", nil
}

// attrs stages the custom attributes of a user or company. The first type
// seen for a key is the attribute's type; a value of another type is kept
// with the record but counts as unset for rules.
func (im *importer) attrs(scope, table, id string, custom map[string]portal.Value) {
	for key, v := range custom {
		if !v.IsSet() {
			continue
		}
		kind := im.attr(scope, key, v.Kind)
		if kind != v.Kind {
			continue
		}
		str, num := attrColumns(v)
		im.add(table, im.pos, id, key, string(kind), str, num)
	}
}

// attrColumns returns the (str, num) columns of a custom value: folded
// text for strings; the number, 0/1 or Unix seconds otherwise.
func attrColumns(v portal.Value) (any, any) {
	switch v.Kind {
	case portal.KindString:
		return portal.Fold(v.Str), nil
	case portal.KindNumber:
		return nil, v.Num
	case portal.KindBoolean:
		if v.Bool {
			return nil, float64(1)
		}
		return nil, float64(0)
	case portal.KindDate:
		return nil, float64(v.Time.Unix())
	}
	return nil, nil
}

func floatPtr(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func (im *importer) stageCompany(c *portal.Company) (string, error) {
	custom, err := json.Marshal(c.Custom)
	if err != nil {
		return "", err
	}
	im.add("stage_companies", im.pos, c.ID, portal.Fold(c.ID), nullStr(c.CompanyID), nullFold(c.CompanyID),
		nullStr(c.Name), nullFold(c.Name), nullStr(c.Plan), nullFold(c.Plan), floatPtr(c.Size),
		nullStr(c.Industry), nullFold(c.Industry), nullStr(c.Website), nullFold(c.Website),
		floatPtr(c.MonthlySpend), nullTime(c.CreatedAt), string(custom))
	im.attrs("company", "stage_company_attrs", c.ID, c.Custom)
	im.rep.Companies++
	return "", nil
}

func (im *importer) stageTicket(t *portal.Ticket, tt *portal.TicketType) (string, error) {
	if tt != nil && tt.ID != "" && im.types[tt.ID] != *tt {
		// Staged when it differs from the last staged record of the
		// type (the last wins): once, not once per ticket.
		im.types[tt.ID] = *tt
		im.add("stage_types", im.pos, tt.ID, tt.Name, tt.Category)
	}
	im.add("stage_tickets", im.pos, t.ID, t.TicketID, t.Title, t.Description, t.Category, t.IsShared,
		t.StateCategory, t.StateLabel, t.TypeID, t.TypeName, nullStr(t.CreatorID()), nullStr(t.CompanyID),
		t.CreatedAt.Unix(), t.UpdatedAt.Unix(), t.Open, im.vector)
	for i, c := range t.ContactIDs {
		im.add("stage_contacts", im.pos, t.ID, int32(i), c)
	}
	for i, p := range t.Parts {
		if !portal.KnownPartType(p.PartType) {
			if im.rep.HiddenPartTypes == nil {
				im.rep.HiddenPartTypes = map[string]int{}
			}
			im.rep.HiddenPartTypes[p.PartType]++
		}
		im.add("stage_parts", im.pos, t.ID, int32(i), p.ID, p.PartType, p.Body, p.AuthorType, p.AuthorID, p.AuthorName, p.CreatedAt.Unix())
	}
	im.rep.Tickets++
	im.rep.Parts += len(t.Parts)
	return "", nil
}

// recordStorable reports whether every text of a record can be stored.
func recordStorable(r portal.Record) bool {
	custom := func(m map[string]portal.Value) bool {
		for k, v := range m {
			if !storable(k, v.Str) {
				return false
			}
		}
		return true
	}
	switch {
	case r.User != nil:
		u := r.User
		return storable(u.ID, u.ExternalID, u.Email, u.Name, u.Role) && storable(u.CompanyIDs...) && custom(u.Custom)
	case r.Company != nil:
		c := r.Company
		return storable(c.ID, c.CompanyID, c.Name, c.Plan, c.Industry, c.Website) && custom(c.Custom)
	case r.Ticket != nil:
		t := r.Ticket
		if !storable(t.ID, t.TicketID, t.Title, t.Description, t.Category, t.StateCategory, t.StateLabel, t.TypeID, t.TypeName, t.CompanyID) ||
			!storable(t.ContactIDs...) {
			return false
		}
		for _, p := range t.Parts {
			if !storable(p.ID, p.PartType, p.Body, p.AuthorType, p.AuthorID, p.AuthorName) {
				return false
			}
		}
		if tt := r.TicketType; tt != nil && !storable(tt.ID, tt.Name, tt.Category) {
			return false
		}
	}
	return true
}
