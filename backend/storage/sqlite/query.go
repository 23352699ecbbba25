package sqlite

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlrule"
)

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

func (ws *Workspace) schema(ctx context.Context, q queryer) (*portal.Schema, error) {
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

// Audience counts the users rule matches at now, and lists the first limit
// of them in workspace order (the order they were first imported). A nil
// rule matches no one.
func (ws *Workspace) Audience(ctx context.Context, rule *portal.Rule, s *portal.Schema, now time.Time, limit int) (int, []portal.UserSummary, error) {
	return ws.AudienceExcept(ctx, rule, nil, s, now, limit)
}

// AudienceExcept is Audience for the users rule matches and except does
// not (a nil except takes no one away).
func (ws *Workspace) AudienceExcept(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time, limit int) (int, []portal.UserSummary, error) {
	set, err := ws.audience(ctx, rule, except, s, now)
	if err != nil {
		return 0, nil, fmt.Errorf("audience: %w", err)
	}
	users, err := ws.summaries(ctx, audience.Head(set, limit))
	if err != nil {
		return 0, nil, fmt.Errorf("audience list: %w", err)
	}
	return int(set.GetCardinality()), users, nil
}

// audience returns the seqs of the users rule matches and except does not
// (nil: no one). It scans the in-memory columns when they are in use and
// match the dataset (columns.go), and otherwise runs the indexed SQL set
// path (audience.go); both give exactly what portal.Eval gives.
func (ws *Workspace) audience(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time) (*roaring.Bitmap, error) {
	return ws.audienceShared(ctx, rule, except, s, now, nil)
}

// audienceShared is audience with the SQL path's sets shared with other
// rules evaluated with the same shared sets (nil: none).
func (ws *Workspace) audienceShared(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time, shared *sharedSets) (*roaring.Bitmap, error) {
	if c := ws.freshColumns(ctx); c != nil {
		if set, err := c.Audience(rule, except, s, now); err == nil {
			return set, nil
		}
		// A condition the columns cannot evaluate: the SQL path says why.
	}
	return ws.audienceSQL(ctx, rule, except, s, now, shared)
}

// audienceSQL is audience by the indexed SQL set path only.
func (ws *Workspace) audienceSQL(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time, shared *sharedSets) (*roaring.Bitmap, error) {
	a := &audienceSet{ws: ws, ctx: ctx, schema: s, now: now, shared: shared}
	set, err := a.eval(rule)
	if err != nil {
		return nil, err
	}
	if except != nil && !set.IsEmpty() {
		minus, err := a.eval(except)
		if err != nil {
			return nil, err
		}
		set.AndNot(minus)
	}
	return set, nil
}

// AudienceIDs returns the ids of every user rule matches, sorted, computed
// by the path Audience uses (the in-memory columns or the indexed SQL set
// path).
func (ws *Workspace) AudienceIDs(ctx context.Context, rule *portal.Rule, s *portal.Schema, now time.Time) ([]string, error) {
	set, err := ws.audience(ctx, rule, nil, s, now)
	if err != nil {
		return nil, err
	}
	return ws.idsOf(ctx, set)
}

// idsOf returns the ids of the users of a set of seqs, sorted.
func (ws *Workspace) idsOf(ctx context.Context, set *roaring.Bitmap) ([]string, error) {
	ids := []string{}
	if set.IsEmpty() {
		return ids, nil
	}
	// The set travels as a JSON array into one query.
	list, err := json.Marshal(set.ToArray())
	if err != nil {
		return nil, err
	}
	rows, err := ws.query(ctx, `SELECT u.id FROM json_each(?) j JOIN users u ON u.seq = j.value ORDER BY u.id`, string(list))
	if err != nil {
		return nil, err
	}
	return scanStrings(rows)
}

// AudienceIDsSQL returns the same ids as AudienceIDs, computed by one SQL
// statement with the rule compiled to a WHERE clause (package sqlrule): the
// portable path a PostgreSQL store will use.
func (ws *Workspace) AudienceIDsSQL(ctx context.Context, rule *portal.Rule, s *portal.Schema, now time.Time) ([]string, error) {
	return ws.audienceIDsWhere(ctx, rule, s, now, false)
}

// audienceIDsWhere is AudienceIDsSQL with company conditions compiled per
// user or not (sqlrule.Compiler.PerUser).
func (ws *Workspace) audienceIDsWhere(ctx context.Context, rule *portal.Rule, s *portal.Schema, now time.Time, perUser bool) ([]string, error) {
	c := sqlrule.Compiler{D: sqlrule.SQLite{}, Now: now, PerUser: perUser}
	where, err := c.Where(rule, s)
	if err != nil {
		return nil, err
	}
	rows, err := ws.query(ctx, `SELECT u.id FROM users u WHERE `+where+` ORDER BY u.id`, c.Args...)
	if err != nil {
		return nil, err
	}
	return scanStrings(rows)
}

func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

const userColumns = `id, coalesce(external_id, ''), coalesce(email, ''), coalesce(name, ''), coalesce(role, ''), created_at, signed_up_at, last_seen_at, custom`

func scanUser(sc interface{ Scan(...any) error }) (*portal.User, error) {
	var u portal.User
	var created, signed, seen sql.NullInt64
	var custom string
	if err := sc.Scan(&u.ID, &u.ExternalID, &u.Email, &u.Name, &u.Role, &created, &signed, &seen, &custom); err != nil {
		return nil, err
	}
	u.CreatedAt, u.SignedUpAt, u.LastSeenAt = timeOf(created), timeOf(signed), timeOf(seen)
	if err := json.Unmarshal([]byte(custom), &u.Custom); err != nil {
		return nil, fmt.Errorf("user %s: custom attributes: %w", u.ID, err)
	}
	return &u, nil
}

// FindUser finds a user by id, external_id or email (case-insensitive).
// It returns ENOTFOUND when none matches, and EINVALID when an email
// belongs to several contacts (never a guess).
func (ws *Workspace) FindUser(ctx context.Context, key string) (*portal.User, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return nil, portal.Errorf(portal.EINVALID, "no user given; pass an email, an id or an external_id")
	}
	for _, q := range []string{`SELECT ` + userColumns + ` FROM users WHERE id = ?`, `SELECT ` + userColumns + ` FROM users WHERE external_id = ?`} {
		u, err := scanUser(ws.queryRow(ctx, q, key))
		if err == nil {
			return ws.withCompanies(ctx, u)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	u, err := ws.UserByEmail(ctx, key)
	switch portal.ErrorCode(err) {
	case portal.ENOTFOUND:
		return nil, portal.Errorf(portal.ENOTFOUND, "no user has the id, external_id or email %q", key)
	case portal.ECONFLICT:
		return nil, portal.Errorf(portal.EINVALID, "the email %q belongs to more than one contact; name the user by id or external_id", key)
	}
	return u, err
}

// ByExternalID returns the user with that external_id (identity tokens'
// user_id claim), or ENOTFOUND.
func (ws *Workspace) ByExternalID(ctx context.Context, externalID string) (*portal.User, error) {
	u, err := scanUser(ws.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE external_id = ?`, externalID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, portal.Errorf(portal.ENOTFOUND, "no user has the external_id %q", externalID)
	}
	if err != nil {
		return nil, err
	}
	return ws.withCompanies(ctx, u)
}

func (ws *Workspace) withCompanies(ctx context.Context, u *portal.User) (*portal.User, error) {
	rows, err := ws.query(ctx, `SELECT m.company_id FROM memberships m JOIN users u ON u.seq = m.user_seq WHERE u.id = ? ORDER BY m.position, m.company_id`, u.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	u.CompanyIDs = nil
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		u.CompanyIDs = append(u.CompanyIDs, id)
	}
	return u, rows.Err()
}

const companyColumns = `c.id, coalesce(c.company_id, ''), coalesce(c.name, ''), coalesce(c.plan, ''), c.size, coalesce(c.industry, ''), coalesce(c.website, ''), c.monthly_spend, c.created_at, c.custom`

func scanCompany(sc interface{ Scan(...any) error }) (*portal.Company, error) {
	var c portal.Company
	var size, spend sql.NullFloat64
	var created sql.NullInt64
	var custom string
	if err := sc.Scan(&c.ID, &c.CompanyID, &c.Name, &c.Plan, &size, &c.Industry, &c.Website, &spend, &created, &custom); err != nil {
		return nil, err
	}
	if size.Valid {
		c.Size = &size.Float64
	}
	if spend.Valid {
		c.MonthlySpend = &spend.Float64
	}
	c.CreatedAt = timeOf(created)
	if err := json.Unmarshal([]byte(custom), &c.Custom); err != nil {
		return nil, fmt.Errorf("company %s: custom attributes: %w", c.ID, err)
	}
	return &c, nil
}

// Subject returns the user with the companies of theirs that are in the
// workspace, ready for rule evaluation.
func (ws *Workspace) Subject(ctx context.Context, u *portal.User) (portal.Subject, error) {
	return ws.cachedSubject(ctx, u)
}

func (ws *Workspace) subject(ctx context.Context, u *portal.User) (portal.Subject, error) {
	sub := portal.Subject{User: u}
	rows, err := ws.query(ctx, `SELECT `+companyColumns+` FROM users u JOIN memberships m ON m.user_seq = u.seq JOIN companies c ON c.id = m.company_id
		WHERE u.id = ? ORDER BY m.position, m.company_id`, u.ID)
	if err != nil {
		return sub, err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCompany(rows)
		if err != nil {
			return sub, err
		}
		sub.Companies = append(sub.Companies, c)
	}
	return sub, rows.Err()
}

// Companies returns companies by id (those present).
func (ws *Workspace) Companies(ctx context.Context, ids []string) ([]*portal.Company, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := ws.query(ctx, `SELECT `+companyColumns+` FROM companies c WHERE c.id IN (`+placeholders(len(ids))+`) ORDER BY c.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*portal.Company
	for rows.Next() {
		c, err := scanCompany(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
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

// UserName returns the names of users by id, for showing creators.
func (ws *Workspace) UserNames(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	ids = dedupe(ids)
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := ws.query(ctx, `SELECT id, coalesce(name, coalesce(email, '')) FROM users WHERE id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// UserWithCompanies returns the id of a user who belongs to exactly n
// companies (the first by id), or ENOTFOUND. Benchmarks use it to find a
// typical busy user.
func (ws *Workspace) UserWithCompanies(ctx context.Context, n int) (string, error) {
	var id string
	err := ws.queryRow(ctx, `SELECT u.id FROM memberships m JOIN users u ON u.seq = m.user_seq GROUP BY m.user_seq HAVING count(*) = ? ORDER BY m.user_seq LIMIT 1`, n).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", portal.Errorf(portal.ENOTFOUND, "no user belongs to %d companies", n)
	}
	return id, err
}

// SearchUsers finds users whose email or name contains q (case- and
// diacritic-insensitive), for picking a user to preview; at most limit,
// in workspace order.
func (ws *Workspace) SearchUsers(ctx context.Context, q string, limit int) ([]portal.UserSummary, error) {
	q = portal.Fold(strings.TrimSpace(q))
	if q == "" {
		return []portal.UserSummary{}, nil
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	var rows *sql.Rows
	var err error
	if utf8.RuneCountInString(q) >= 3 {
		rows, err = ws.query(ctx, `SELECT u.id, coalesce(u.email, ''), coalesce(u.name, '') FROM user_trgm t JOIN users u ON u.seq = t.rowid
			WHERE user_trgm MATCH ? ORDER BY u.seq LIMIT ?`, "{email_fold name_fold} : "+ftsString(q), limit)
	} else {
		rows, err = ws.query(ctx, `SELECT u.id, coalesce(u.email, ''), coalesce(u.name, '') FROM users u
			WHERE instr(u.email_fold, ?) > 0 OR instr(u.name_fold, ?) > 0 ORDER BY u.seq LIMIT ?`, q, q, limit)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []portal.UserSummary{}
	for rows.Next() {
		var u portal.UserSummary
		if err := rows.Scan(&u.ID, &u.Email, &u.Name); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
