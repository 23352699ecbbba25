package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/mattn/go-sqlite3"

	"portalstudio/backend/portal"
)

// Import upserts (by id) every record src emits, in one transaction. A
// record that would give a contact's external_id, a company's company_id
// or a ticket's ticket_id to a second object is rejected. Any error (a file
// that is not JSON, a failing disk) leaves the workspace as it was; so does
// any rejection with opt.Strict, and the error says how many records were
// rejected.
func (s *ImportStore) Import(ctx context.Context, src portal.RecordSource, opt portal.ImportOptions) (portal.ImportReport, error) {
	var rep portal.ImportReport
	tx := s.tx
	if opt.Replace {
		tx = s.bulkTx // its search build is attached to the connection
	}
	err := tx(ctx, func(tx *sql.Tx) error {
		var bulk bulkSchema
		var search *searchBuild
		if opt.Replace {
			var err error
			if bulk, err = emptyForBulk(ctx, tx); err != nil {
				return err
			}
			if search, err = startSearchBuild(ctx, tx, s.path); err != nil {
				return err
			}
			defer search.close()
		}
		im, err := newImporter(ctx, tx)
		if err != nil {
			return err
		}
		defer im.close()
		im.fresh, im.search = opt.Replace, search
		if opt.Replace {
			im.changed.unlisted = true // deletions: not listed
		} else {
			im.values = newValueChanges()
		}
		if err := im.seed(opt); err != nil {
			return err
		}
		n := 0
		readRej, err := pipeline(ctx, src, func(p prepared) error {
			r := p.Rec
			rej, err := im.put(r, p.Made, &rep)
			if err != nil {
				return fmt.Errorf("%s:%d: %w", r.Source.File, r.Source.Line, err)
			}
			if rej != "" {
				rep.Rejected = append(rep.Rejected, portal.Rejection{Source: r.Source, Kind: r.Kind(), ID: r.ID(), Reason: rej})
			}
			n++
			if opt.Progress != nil && n%1000 == 0 {
				opt.Progress(n)
			}
			return nil
		})
		rep.Rejected = append(readRej, rep.Rejected...)
		if err := ctx.Err(); err != nil {
			// Cancelled: the transaction is rolled back, and a statement
			// may have failed for that reason first.
			return err
		}
		if err != nil {
			return err
		}
		if opt.Replace {
			if err := finishBulk(ctx, tx, bulk, search); err != nil {
				return err
			}
		}
		if len(rep.Rejected) > 0 && opt.Strict {
			return portal.Errorf(portal.EINVALID, "%d record(s) were rejected, so nothing was imported (--strict); fix them, or import without --strict to keep the valid ones", len(rep.Rejected))
		}
		// The values the rule builder suggests follow the data
		// (attrvalues.go): a small import changes the values of what
		// it wrote, a large one counts them all again.
		if im.collecting() {
			if err := newValues(ctx, tx, im.changed, im.values); err != nil {
				return err
			}
			if err := applyValueChanges(ctx, tx, im.values); err != nil {
				return err
			}
		} else if err := refreshAttributeValues(ctx, tx); err != nil {
			return err
		}
		// In the same transaction: the audience engine's columns read
		// before it can never be taken for the new data
		// (audience_source.go).
		if err := bumpGeneration(ctx, tx); err != nil {
			return err
		}
		return logChanges(ctx, tx, im.changed)
	})
	if err == nil {
		rep.Committed = true
		if s.dataChanged != nil {
			s.dataChanged()
		}
	}
	return rep, err
}

// prepared is a record with what its writing needs that no database
// does, made ahead of the writer.
type prepared = portal.Prepared[made]

// made is a ticket's search text (body), or a user's row (user, its
// columns' values; err if it has none).
type made struct {
	body string
	user []any
	err  error
}

// pipeline runs src through portal.PipeRecords, each ticket's search text
// and each user's row made a batch ahead of put.
func pipeline(ctx context.Context, src portal.RecordSource, put func(prepared) error) ([]portal.Rejection, error) {
	return portal.PipeRecords(ctx, src, 512, func(r portal.Record) made {
		switch {
		case r.Ticket != nil:
			return made{body: searchBody(r.Ticket)}
		case r.User != nil:
			row, err := userRow(r.User)
			return made{user: row, err: err}
		}
		return made{}
	}, put)
}

// importer holds the prepared statements of one import.
type importer struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	kinds map[string]portal.ValueKind // "user/seats" → kind, the schema as discovered
	// fresh is true for a bulk load into emptied tables: rows are
	// inserted with their seq, and the trigram index is filled at the end.
	fresh bool
	// search builds the search index of a bulk load on another
	// connection (searchbuild.go); nil otherwise.
	search *searchBuild
	// maxUser and maxTicket are the highest seqs written so far: a row
	// that comes back with a higher seq was inserted, so it has no
	// attributes, memberships, parts or index entries to remove.
	maxUser, maxTicket int64
	// changed are the users and companies written, for the changes log
	// (audience_source.go).
	changed *changes
	// values are the holders of text values the import took and gave
	// while it lists its changes (attrvalues.go); nil for a Replace.
	values *valueChanges
	// types are the ticket types written, by id, as last written.
	types map[string]portal.TicketType
	// rowArgs is the values insertRows writes, kept for the next ticket.
	rowArgs []any
}

// existing reports whether the row numbered seq existed before this write
// (an update), and records seq as the highest seen otherwise.
func (im *importer) existing(max *int64, seq int64) bool {
	if seq <= *max {
		return true
	}
	*max = seq
	return false
}

var importSQL = map[string]string{
	"userExt": `SELECT id FROM users WHERE external_id = ? AND id <> ?`,
	"user": `INSERT INTO users (id, id_fold, external_id, external_id_fold, email, email_fold, name, name_fold, role, role_fold, created_at, signed_up_at, last_seen_at, custom)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET external_id = excluded.external_id, external_id_fold = excluded.external_id_fold,
		email = excluded.email, email_fold = excluded.email_fold, name = excluded.name, name_fold = excluded.name_fold,
		role = excluded.role, role_fold = excluded.role_fold, created_at = excluded.created_at,
		signed_up_at = excluded.signed_up_at, last_seen_at = excluded.last_seen_at, custom = excluded.custom
		RETURNING seq`,
	"userFresh": `INSERT INTO users (seq, id, id_fold, external_id, external_id_fold, email, email_fold, name, name_fold, role, role_fold, created_at, signed_up_at, last_seen_at, custom)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	"ticketFresh": `INSERT INTO tickets (seq, id, ticket_id, title, description, category, is_shared, state_category, state_label, type_id, type_name, creator_id, company_id, created_at, updated_at, open)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	"userAttrsDel": `DELETE FROM user_attrs WHERE user_seq = ?`,
	"userAttr":     `INSERT INTO user_attrs (user_seq, key, kind, str, num) VALUES (?, ?, ?, ?, ?)`,
	"membersDel":   `DELETE FROM memberships WHERE user_seq = ?`,
	"member":       `INSERT OR IGNORE INTO memberships (user_seq, company_id, position) VALUES (?, ?, ?)`,
	"userTrgmDel":  `DELETE FROM user_trgm WHERE rowid = ?`,
	"userTrgm":     `INSERT INTO user_trgm (rowid, email_fold, name_fold) VALUES (?, ?, ?)`,
	"companyExt":   `SELECT id FROM companies WHERE company_id = ? AND id <> ?`,
	"company": `INSERT INTO companies (id, id_fold, company_id, company_id_fold, name, name_fold, plan, plan_fold, size, industry, industry_fold, website, website_fold, monthly_spend, created_at, custom)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET company_id = excluded.company_id, company_id_fold = excluded.company_id_fold,
		name = excluded.name, name_fold = excluded.name_fold, plan = excluded.plan, plan_fold = excluded.plan_fold,
		size = excluded.size, industry = excluded.industry, industry_fold = excluded.industry_fold,
		website = excluded.website, website_fold = excluded.website_fold, monthly_spend = excluded.monthly_spend,
		created_at = excluded.created_at, custom = excluded.custom`,
	"companyAttrsDel": `DELETE FROM company_attrs WHERE company_id = ?`,
	"companyAttr":     `INSERT INTO company_attrs (company_id, key, kind, str, num) VALUES (?, ?, ?, ?, ?)`,
	"ticketExt":       `SELECT id FROM tickets WHERE ticket_id = ? AND id <> ?`,
	"ticket": `INSERT INTO tickets (id, ticket_id, title, description, category, is_shared, state_category, state_label, type_id, type_name, creator_id, company_id, created_at, updated_at, open)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET ticket_id = excluded.ticket_id, title = excluded.title, description = excluded.description,
		category = excluded.category, is_shared = excluded.is_shared, state_category = excluded.state_category,
		state_label = excluded.state_label, type_id = excluded.type_id, type_name = excluded.type_name,
		creator_id = excluded.creator_id, company_id = excluded.company_id, created_at = excluded.created_at,
		updated_at = excluded.updated_at, open = excluded.open
		RETURNING seq`,
	"ftsDel":      `DELETE FROM ticket_fts WHERE rowid = ?`,
	"ftsAdd":      `INSERT INTO ticket_fts (rowid, body, vis) VALUES (?, ?, ?)`,
	"contactsDel": `DELETE FROM ticket_contacts WHERE ticket_id = ?`,
	"partsDel":    `DELETE FROM parts WHERE ticket_id = ?`,
	"ticketType": `INSERT INTO ticket_types (id, name, category) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, category = excluded.category`,
	"attr": `INSERT INTO attributes (scope, key, kind) VALUES (?, ?, ?) ON CONFLICT (scope, key) DO NOTHING`,
	// The old values of a user or company about to be written, for the
	// suggested values (attrvalues.go).
	"userOld":         `SELECT seq, ` + valueColumns(userTextAttrs) + ` FROM users WHERE id = ?`,
	"userOldAttrs":    `SELECT key, str FROM user_attrs WHERE user_seq = ? AND kind = 'string'`,
	"companyOld":      `SELECT ` + valueColumns(companyTextAttrs) + ` FROM companies WHERE id = ?`,
	"companyOldAttrs": `SELECT key, str FROM company_attrs WHERE company_id = ? AND kind = 'string'`,
}

// insertsSQL are the statements that write a ticket's contacts and parts,
// several rows at once (insertRows), with the number of values of a row.
var insertsSQL = map[string]struct {
	insert string
	width  int
}{
	"contacts": {`INSERT INTO ticket_contacts (ticket_id, position, user_id) VALUES `, 3},
	"parts":    {`INSERT INTO parts (ticket_id, position, id, part_type, body, author_type, author_id, author_name, created_at) VALUES `, 9},
}

// maxRows is the most rows one statement of insertRows writes.
const maxRows = 8

// insertRows writes rows with an insert of insertsSQL, the values of one
// row after another's in args: up to maxRows at once, a row costing a
// fifth less than with a statement of its own.
func (im *importer) insertRows(name string, args []any) error {
	in := insertsSQL[name]
	for len(args) > 0 {
		n := min(len(args)/in.width, maxRows)
		key := fmt.Sprintf("%s%d", name, n)
		st := im.stmts[key]
		if st == nil {
			row := "(" + placeholders(in.width) + ")"
			var err error
			if st, err = im.tx.PrepareContext(im.ctx, in.insert+strings.Repeat(row+", ", n-1)+row); err != nil {
				return fmt.Errorf("prepare %s: %w", key, err)
			}
			im.stmts[key] = st
		}
		if _, err := st.ExecContext(im.ctx, args[:n*in.width]...); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		args = args[n*in.width:]
	}
	return nil
}

func newImporter(ctx context.Context, tx *sql.Tx) (*importer, error) {
	// The statements run without ctx's cancellation: given a context that
	// can be cancelled, the driver runs each statement on a goroutine of
	// its own and waits for it, two switches between threads per row,
	// which cost the full-size demo build a third of its time. An import
	// is cancelled between records instead (portal.PipeRecords checks ctx
	// before each one), and the transaction is rolled back.
	ctx = context.WithoutCancel(ctx)
	im := &importer{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}, kinds: map[string]portal.ValueKind{}, changed: newChanges(),
		types: map[string]portal.TicketType{}}
	for name, q := range importSQL {
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			im.close()
			return nil, fmt.Errorf("prepare %s: %w", name, err)
		}
		im.stmts[name] = st
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM users`).Scan(&im.maxUser); err != nil {
		im.close()
		return nil, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM tickets`).Scan(&im.maxTicket); err != nil {
		im.close()
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT scope, key, kind FROM attributes`)
	if err != nil {
		im.close()
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var scope, key, kind string
		if err := rows.Scan(&scope, &key, &kind); err != nil {
			im.close()
			return nil, err
		}
		im.kinds[scope+"/"+key] = portal.ValueKind(kind)
	}
	return im, rows.Err()
}

func (im *importer) close() {
	for _, st := range im.stmts {
		st.Close()
	}
}

// insertFresh inserts the row of a bulk load's record r with the next
// seq (max moves on) and says whether it did: false outside a bulk load,
// and for an id already loaded by this import (the same object twice in
// one file: the last record wins, so the caller updates the row the first
// one made, as any import does). A record whose unique key another object
// holds is rejected (reject).
func (im *importer) insertFresh(r *portal.Record, stmt string, max *int64, args []any) (fresh bool, reject string, err error) {
	if !im.fresh {
		return false, "", nil
	}
	err = im.exec(stmt, append([]any{*max + 1}, args...)...)
	var serr sqlite3.Error
	if errors.As(err, &serr) && serr.ExtendedCode == sqlite3.ErrConstraintUnique {
		// The statement alone failed, the import goes on: the key is
		// another object's (a rejection), or the id is this import's
		// (the update that follows).
		reject, err := im.keyTaken(r)
		return false, reject, err
	}
	if err != nil {
		return false, "", err
	}
	*max++
	return true, "", nil
}

func (im *importer) exec(name string, args ...any) error {
	_, err := im.stmts[name].ExecContext(im.ctx, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// keyTaken returns the rejection of a record whose unique key another
// object already holds, or "".
func (im *importer) keyTaken(r *portal.Record) (string, error) {
	_, key := r.UniqueKey()
	other, err := im.taken(keyStatements[r.Kind()], key, r.ID())
	if err != nil || other == "" {
		return "", err
	}
	return r.KeyTaken(other), nil
}

// taken returns the id of another object already holding a unique key.
func (im *importer) taken(name, key, id string) (string, error) {
	if key == "" {
		return "", nil
	}
	var other string
	err := im.stmts[name].QueryRowContext(im.ctx, key, id).Scan(&other)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return other, err
}

// put writes one record; it returns a rejection reason, or an error.
func (im *importer) put(r portal.Record, m made, rep *portal.ImportReport) (string, error) {
	if reason := r.Problem(); reason != "" {
		return reason, nil
	}
	// A bulk load's tables were emptied, so only a record it wrote holds
	// a key: it looks the key up only when a user's or ticket's insert
	// clashes (insertFresh), three million look-ups fewer at full size.
	if !im.fresh || r.Company != nil {
		if reject, err := im.keyTaken(&r); reject != "" || err != nil {
			return reject, err
		}
	}
	switch {
	case r.User != nil:
		return im.putUser(&r, m, rep)
	case r.Company != nil:
		return im.putCompany(r.Company, rep)
	}
	return im.putTicket(&r, m.body, rep)
}

// keyStatements name the statements that find another holder of a
// record's unique key, by the record's kind.
var keyStatements = map[string]string{"contact": "userExt", "company": "companyExt", "ticket": "ticketExt"}

// userRow returns the values of a user's row, in the order of the
// statements "user" and "userFresh" (after its seq).
func userRow(u *portal.User) ([]any, error) {
	custom, err := json.Marshal(u.Custom)
	if err != nil {
		return nil, err
	}
	return []any{u.ID, portal.Fold(u.ID), nullStr(u.ExternalID), nullFold(u.ExternalID),
		nullStr(u.Email), nullFold(u.Email), nullStr(u.Name), nullFold(u.Name), nullStr(u.Role), nullFold(u.Role),
		nullTime(u.CreatedAt), nullTime(u.SignedUpAt), nullTime(u.LastSeenAt), string(custom)}, nil
}

// putUser writes a user, its row made ahead (m.user).
func (im *importer) putUser(r *portal.Record, m made, rep *portal.ImportReport) (string, error) {
	u, args := r.User, m.user
	if m.err != nil {
		return "", m.err
	}
	emailFold, nameFold := args[5], args[7]
	if im.collecting() {
		if err := im.oldUser(u.ID); err != nil {
			return "", err
		}
	}
	var seq int64
	fresh, reject, err := im.insertFresh(r, "userFresh", &im.maxUser, args)
	if reject != "" || err != nil {
		return reject, err
	}
	if fresh {
		seq = im.maxUser
	} else if err := im.stmts["user"].QueryRowContext(im.ctx, args...).Scan(&seq); err != nil {
		return "", fmt.Errorf("user: %w", err)
	}
	im.changed.user(seq)
	if !fresh && im.existing(&im.maxUser, seq) {
		for _, stmt := range []string{"userTrgmDel", "userAttrsDel", "membersDel"} {
			if stmt == "userTrgmDel" && im.search != nil {
				im.search.put(searchOp{seq: seq, user: true, del: true})
				continue
			}
			if err := im.exec(stmt, seq); err != nil {
				return "", err
			}
		}
	}
	if im.search != nil {
		im.search.put(searchOp{seq: seq, user: true, email: emailFold, name: nameFold})
	} else if err := im.exec("userTrgm", seq, emailFold, nameFold); err != nil {
		return "", err
	}
	if err := im.putAttrs("user", "userAttr", seq, u.Custom); err != nil {
		return "", err
	}
	for i, c := range u.CompanyIDs {
		if c == "" {
			continue
		}
		if err := im.exec("member", seq, c, i); err != nil {
			return "", err
		}
	}
	rep.Contacts++
	return "", nil
}

// putAttrs records the custom attributes of a user or company. The first
// type seen for a key becomes the attribute's type; a value of another
// type is kept with the record but counts as unset for rules.
func (im *importer) putAttrs(scope, stmt string, id any, custom map[string]portal.Value) error {
	for key, v := range custom {
		if !v.IsSet() {
			continue
		}
		kind, ok := im.kinds[scope+"/"+key]
		if !ok {
			kind = v.Kind
			im.kinds[scope+"/"+key] = kind
			if err := im.exec("attr", scope, key, string(kind)); err != nil {
				return err
			}
		}
		if kind != v.Kind {
			continue
		}
		str, num := attrColumns(v)
		if err := im.exec(stmt, id, key, string(kind), str, num); err != nil {
			return err
		}
	}
	return nil
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
			return nil, 1
		}
		return nil, 0
	case portal.KindDate:
		return nil, v.Time.Unix()
	}
	return nil, nil
}

func (im *importer) putCompany(c *portal.Company, rep *portal.ImportReport) (string, error) {
	custom, err := json.Marshal(c.Custom)
	if err != nil {
		return "", err
	}
	if im.collecting() {
		if err := im.oldCompany(c.ID); err != nil {
			return "", err
		}
	}
	if err := im.exec("company", c.ID, portal.Fold(c.ID), nullStr(c.CompanyID), nullFold(c.CompanyID),
		nullStr(c.Name), nullFold(c.Name), nullStr(c.Plan), nullFold(c.Plan), floatPtr(c.Size),
		nullStr(c.Industry), nullFold(c.Industry), nullStr(c.Website), nullFold(c.Website),
		floatPtr(c.MonthlySpend), nullTime(c.CreatedAt), string(custom)); err != nil {
		return "", err
	}
	im.changed.company(c.ID)
	if err := im.exec("companyAttrsDel", c.ID); err != nil {
		return "", err
	}
	if err := im.putAttrs("company", "companyAttr", c.ID, c.Custom); err != nil {
		return "", err
	}
	rep.Companies++
	return "", nil
}

func floatPtr(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func (im *importer) putTicket(r *portal.Record, body string, rep *portal.ImportReport) (string, error) {
	t, tt := r.Ticket, r.TicketType
	// A ticket type is written once for each way this import names it:
	// tickets of the same type share it.
	if tt != nil && tt.ID != "" && im.types[tt.ID] != *tt {
		if err := im.exec("ticketType", tt.ID, tt.Name, tt.Category); err != nil {
			return "", err
		}
		im.types[tt.ID] = *tt
	}
	args := []any{t.ID, t.TicketID, t.Title, t.Description, t.Category, t.IsShared,
		t.StateCategory, t.StateLabel, t.TypeID, t.TypeName, nullStr(t.CreatorID()), nullStr(t.CompanyID),
		t.CreatedAt.Unix(), t.UpdatedAt.Unix(), t.Open}
	var seq int64
	fresh, reject, err := im.insertFresh(r, "ticketFresh", &im.maxTicket, args)
	if reject != "" || err != nil {
		return reject, err
	}
	if fresh {
		seq = im.maxTicket
	} else if err := im.stmts["ticket"].QueryRowContext(im.ctx, args...).Scan(&seq); err != nil {
		return "", fmt.Errorf("ticket: %w", err)
	}
	if !fresh && im.existing(&im.maxTicket, seq) {
		for _, stmt := range []string{"ftsDel", "contactsDel", "partsDel"} {
			arg := any(t.ID)
			if stmt == "ftsDel" {
				if im.search != nil {
					im.search.put(searchOp{seq: seq, del: true})
					continue
				}
				arg = seq
			}
			if err := im.exec(stmt, arg); err != nil {
				return "", err
			}
		}
	}
	rows := im.rowArgs[:0]
	for i, c := range t.ContactIDs {
		rows = append(rows, t.ID, i, c)
	}
	if err := im.insertRows("contacts", rows); err != nil {
		return "", err
	}
	rows = rows[:0]
	for i, p := range t.Parts {
		if !portal.KnownPartType(p.PartType) {
			if rep.HiddenPartTypes == nil {
				rep.HiddenPartTypes = map[string]int{}
			}
			rep.HiddenPartTypes[p.PartType]++
		}
		rows = append(rows, t.ID, i, p.ID, p.PartType, p.Body, p.AuthorType, p.AuthorID, p.AuthorName, p.CreatedAt.Unix())
	}
	if err := im.insertRows("parts", rows); err != nil {
		return "", err
	}
	clear(rows) // nothing kept alive until the next ticket
	im.rowArgs = rows[:0]
	if err := im.indexTicket(seq, t, body); err != nil {
		return "", err
	}
	rep.Tickets++
	rep.Parts += len(t.Parts)
	return "", nil
}

// datasetTables are emptied by a Replace import, children first.
var datasetTables = []string{"ticket_fts", "user_trgm", "parts", "ticket_contacts", "ticket_cells", "tickets", "ticket_types", "memberships",
	"user_attrs", "users", "company_attrs", "companies", "attributes"}

// bulkSchema is what emptyForBulk drops for finishBulk to make again:
// the dataset's secondary indexes and triggers, as their SQL.
type bulkSchema struct{ indexes, triggers []string }

// emptyForBulk empties the dataset and drops its secondary indexes and
// its triggers (which keep ticket_cells), returning their definitions for
// finishBulk: loading into tables without them, then building each index
// once and counting the cells once, is several times faster. The
// triggers go first: a table with a trigger is emptied row by row.
func emptyForBulk(ctx context.Context, tx *sql.Tx) (bulkSchema, error) {
	var b bulkSchema
	var err error
	if b.triggers, err = dropSchema(ctx, tx, "trigger"); err != nil {
		return b, err
	}
	for _, table := range datasetTables {
		if table == "ticket_fts" {
			continue // made again by the search build (finishBulk)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table); err != nil {
			return b, err
		}
	}
	if b.indexes, err = dropSchema(ctx, tx, "index"); err != nil {
		return b, err
	}
	return b, ftsHashSize(ctx, tx, bulkHashSize)
}

// execer is a transaction or a database: what runs a statement.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// defaultAutomerge is FTS5's automerge (how many segments of a level it
// merges as it goes).
const defaultAutomerge = 4

// ftsAutomerge sets the full-text indexes' automerge.
func ftsAutomerge(ctx context.Context, tx execer, n int) error {
	for _, t := range buildIndexes {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %[1]s (%[1]s, rank) VALUES ('automerge', %d)`, t, n)); err != nil {
			return fmt.Errorf("set the merging of the full-text index %s: %w", t, err)
		}
	}
	return nil
}

// The most memory each full-text index (the tickets' search, the users'
// trigrams) gathers before writing it out as a segment: FTS5's default
// (1 MiB), and a bulk load's. A bulk load of 2,000,000 tickets with the
// default writes thousands of small segments and merges them again and
// again as it goes; with 64 MiB, far fewer, larger ones.
const (
	defaultHashSize = 1 << 20
	bulkHashSize    = 64 << 20
)

// fillUserSearch fills the users' substring search (user_trgm, empty)
// from every user: their folded e-mails and names.
func fillUserSearch(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO user_trgm (rowid, email_fold, name_fold) SELECT seq, email_fold, name_fold FROM users`)
	return err
}

// ftsHashSize sets the full-text indexes' memory (FTS5's hashsize, kept
// in the index's own configuration).
func ftsHashSize(ctx context.Context, tx execer, n int) error {
	for _, t := range buildIndexes {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %[1]s (%[1]s, rank) VALUES ('hashsize', %d)`, t, n)); err != nil {
			return fmt.Errorf("size the full-text index %s: %w", t, err)
		}
	}
	return nil
}

// dropSchema drops the dataset tables' secondary indexes or triggers
// (kind) and returns their SQL.
func dropSchema(ctx context.Context, tx *sql.Tx, kind string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL
		AND tbl_name IN ('users', 'user_attrs', 'companies', 'company_attrs', 'memberships', 'tickets', 'ticket_contacts', 'parts') ORDER BY name`, kind)
	if err != nil {
		return nil, err
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP `+strings.ToUpper(kind)+` `+name); err != nil {
			return nil, err
		}
	}
	return defs, nil
}

// finishBulk rebuilds the indexes emptyForBulk dropped, counts the
// tickets' cells and makes the triggers again, and puts in the full-text
// indexes built meanwhile (search: the tickets' search and the users'),
// inside the import's transaction.
func finishBulk(ctx context.Context, tx *sql.Tx, b bulkSchema, search *searchBuild) error {
	search.end() // merged and committed meanwhile
	// SQLite sorts the entries of a new index on helper threads when let.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA threads = %d`, min(runtime.NumCPU(), 4))); err != nil {
		return err
	}
	for _, def := range b.indexes {
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("rebuild index: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_cells (company_id, state_category, type_id, n)
		SELECT company_id, state_category, type_id, count(*) FROM tickets
		WHERE company_id IS NOT NULL AND category = 'Customer' AND is_shared = 1
		GROUP BY company_id, state_category, type_id`); err != nil {
		return fmt.Errorf("count the tickets' cells: %w", err)
	}
	for _, def := range b.triggers {
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("make a trigger again: %w", err)
		}
	}
	// The full-text indexes were built aside, their segments merged once
	// at their end, rather than level by level as they were written (the
	// full-size demo build 223 → 204 s); the copy keeps the build's
	// configuration, set back here.
	if err := search.finish(ctx, tx); err != nil {
		return err
	}
	if err := ftsAutomerge(ctx, tx, defaultAutomerge); err != nil {
		return err
	}
	return ftsHashSize(ctx, tx, defaultHashSize)
}
