package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/listpage"
)

// This file holds the directory's reads (portal.Directory but the
// tickets, in tickets.go): the sizes, the schema, users and companies.

// Counts returns how many users, companies, tickets and types there are.
func (s *Store) Counts(ctx context.Context) (portal.Counts, error) {
	var c portal.Counts
	err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM companies),
		(SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_types),
		(SELECT count(*) FROM tickets WHERE category = 'Customer' AND is_shared)`).Scan(&c.Users, &c.Companies, &c.Tickets, &c.TicketTypes, &c.PortalTickets)
	return c, dbError(err)
}

// Schema returns the attribute schema: the standard attributes and the
// custom ones discovered on import.
func (s *Store) Schema(ctx context.Context) (*portal.Schema, error) {
	if s.rc.enabled() {
		return s.cachedSchema(ctx)
	}
	sch, err := schemaOf(ctx, s.pool)
	return sch, dbError(err)
}

func schemaOf(ctx context.Context, q interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}) (*portal.Schema, error) {
	rows, err := q.Query(ctx, `SELECT scope, key, kind FROM attributes ORDER BY scope COLLATE "C", key COLLATE "C"`)
	if err != nil {
		return nil, err
	}
	var custom []portal.Attribute
	for rows.Next() {
		var a portal.Attribute
		var scope, kind string
		if err := rows.Scan(&scope, &a.Field, &kind); err != nil {
			rows.Close()
			return nil, err
		}
		a.Scope, a.Kind = portal.Scope(scope), portal.ValueKind(kind)
		custom = append(custom, a)
	}
	return portal.NewSchema(custom), rows.Err()
}

const userColumns = `id, coalesce(external_id, ''), coalesce(email, ''), coalesce(name, ''), coalesce(role, ''), created_at, signed_up_at, last_seen_at, custom`

func scanUser(row pgx.Row) (*portal.User, error) {
	var u portal.User
	var created, signed, seen *int64
	var custom string
	if err := row.Scan(&u.ID, &u.ExternalID, &u.Email, &u.Name, &u.Role, &created, &signed, &seen, &custom); err != nil {
		return nil, err
	}
	u.CreatedAt, u.SignedUpAt, u.LastSeenAt = timeOf(created), timeOf(signed), timeOf(seen)
	if err := portal.UnmarshalCustom([]byte(custom), &u.Custom); err != nil {
		return nil, fmt.Errorf("user %s: custom attributes: %w", u.ID, err)
	}
	return &u, nil
}

// userSelect reads a user and their companies' ids; a condition follows.
const userSelect = `SELECT ` + userColumns + `,
		(SELECT array_agg(m.company_id ORDER BY m.position, m.company_id) FROM memberships m WHERE m.user_seq = users.seq)
		FROM users WHERE `

// userByIDSQL reads the user with id $1 and their companies' ids.
const userByIDSQL = userSelect + `id = $1`

// userWhere returns the user a condition on users selects, with their
// companies (one query), or pgx.ErrNoRows.
func (s *Store) userWhere(ctx context.Context, where string, arg string) (*portal.User, error) {
	if !storable(arg) {
		return nil, pgx.ErrNoRows
	}
	var companies []string
	u, err := scanUser(suffixRow{rows: nil, row: s.pool.QueryRow(ctx, userSelect+where, arg), suffix: []any{&companies}})
	if err != nil {
		return nil, err
	}
	if len(companies) > 0 {
		u.CompanyIDs = companies
	}
	return u, nil
}

// FindUser finds a user by id, external_id or email (letter case aside).
// It returns ENOTFOUND when none matches, and EINVALID when an email
// belongs to several contacts.
func (s *Store) FindUser(ctx context.Context, key string) (*portal.User, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return nil, portal.Errorf(portal.EINVALID, "no user given; pass an email, an id or an external_id")
	}
	for _, where := range []string{`id = $1`, `external_id = $1`} {
		u, err := s.userWhere(ctx, where, key)
		if err == nil {
			return u, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return nil, dbError(err)
		}
	}
	u, err := s.UserByEmail(ctx, key)
	switch portal.ErrorCode(err) {
	case portal.ENOTFOUND:
		return nil, portal.Errorf(portal.ENOTFOUND, "no user has the id, external_id or email %q", key)
	case portal.ECONFLICT:
		return nil, portal.Errorf(portal.EINVALID, "the email %q belongs to more than one contact; name the user by id or external_id", key)
	}
	return u, err
}

// UserByID returns the user with that id, with their companies, or
// ENOTFOUND.
func (s *Store) UserByID(ctx context.Context, id string) (*portal.User, error) {
	u, err := s.userWhere(ctx, `id = $1`, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, portal.Errorf(portal.ENOTFOUND, "no user has the id %q", id)
	}
	return u, dbError(err)
}

// ByExternalID returns the user with that external_id, or ENOTFOUND.
func (s *Store) ByExternalID(ctx context.Context, externalID string) (*portal.User, error) {
	u, err := s.userWhere(ctx, `external_id = $1`, externalID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, portal.Errorf(portal.ENOTFOUND, "no user has the external_id %q", externalID)
	}
	return u, dbError(err)
}

// UserByEmail returns the one user whose stored email is that very
// address, compared case-insensitively (strings.ToLower of both) and in no
// other way: the email_fold index finds the candidates, Go compares them
// exactly. ENOTFOUND when none has it, ECONFLICT when several do.
func (s *Store) UserByEmail(ctx context.Context, email string) (*portal.User, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, portal.Errorf(portal.ENOTFOUND, "no email given")
	}
	want := strings.ToLower(email)
	if !storable(email) {
		return nil, portal.Errorf(portal.ENOTFOUND, "no user has the email %q", email)
	}
	rows, err := s.pool.Query(ctx, `SELECT id, coalesce(email, '') FROM users WHERE email_fold IN ($1, $2) ORDER BY id`, portal.Fold(email), portal.Fold(want))
	if err != nil {
		return nil, dbError(err)
	}
	var found []string
	for rows.Next() {
		var id, stored string
		if err := rows.Scan(&id, &stored); err != nil {
			rows.Close()
			return nil, dbError(err)
		}
		if strings.ToLower(stored) == want {
			found = append(found, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err)
	}
	switch len(found) {
	case 0:
		return nil, portal.Errorf(portal.ENOTFOUND, "no user has the email %q", email)
	case 1:
		return s.UserByID(ctx, found[0])
	}
	return nil, portal.Errorf(portal.ECONFLICT, "the email %q belongs to %d contacts (%s), differing only by case", email, len(found), strings.Join(found, ", "))
}

// likeContains is the LIKE pattern of text containing q.
func likeContains(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// SearchUsers lists at most limit users whose email or name contains q
// (folded), in workspace order; the trigram indexes find them.
func (s *Store) SearchUsers(ctx context.Context, q string, limit int) ([]portal.UserSummary, error) {
	q = portal.Fold(strings.TrimSpace(q))
	if q == "" || !storable(q) {
		return []portal.UserSummary{}, nil
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	rows, err := s.pool.Query(ctx, `SELECT id, coalesce(email, ''), coalesce(name, '') FROM users
		WHERE email_fold LIKE $1 OR name_fold LIKE $1 ORDER BY seq LIMIT $2`, likeContains(q), limit)
	if err != nil {
		return nil, dbError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (portal.UserSummary, error) {
		var u portal.UserSummary
		err := r.Scan(&u.ID, &u.Email, &u.Name)
		return u, err
	})
	if out == nil {
		out = []portal.UserSummary{}
	}
	return out, dbError(err)
}

// UserNames returns the names (else emails) of the users with those ids.
func (s *Store) UserNames(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	ids = storableOnly(listpage.Dedupe(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id, coalesce(name, coalesce(email, '')) FROM users WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, dbError(err)
		}
		out[id] = name
	}
	return out, dbError(rows.Err())
}

// subjectSQL reads the companies of user $1 that the workspace holds.
const subjectSQL = subjectSelect + ` ORDER BY m.position, m.company_id`

// subjectSelect is subjectSQL without its order (a condition may follow).
const subjectSelect = `SELECT ` + companyColumns + ` FROM users u JOIN memberships m ON m.user_seq = u.seq JOIN companies c ON c.id = m.company_id
		WHERE u.id = $1`

// Subject returns the user with those of their companies the workspace
// holds, ready for rule evaluation.
func (s *Store) Subject(ctx context.Context, u *portal.User) (portal.Subject, error) {
	sub := portal.Subject{User: u}
	rows, err := s.pool.Query(ctx, subjectSQL, u.ID)
	if err != nil {
		return sub, dbError(err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCompany(rows)
		if err != nil {
			return sub, dbError(err)
		}
		sub.Companies = append(sub.Companies, c)
	}
	return sub, dbError(rows.Err())
}

const companyColumns = `c.id, coalesce(c.company_id, ''), coalesce(c.name, ''), coalesce(c.plan, ''), c.size, coalesce(c.industry, ''), coalesce(c.website, ''), c.monthly_spend, c.created_at, c.custom`

func scanCompany(row pgx.Row) (*portal.Company, error) {
	var c portal.Company
	var created *int64
	var custom string
	if err := row.Scan(&c.ID, &c.CompanyID, &c.Name, &c.Plan, &c.Size, &c.Industry, &c.Website, &c.MonthlySpend, &created, &custom); err != nil {
		return nil, err
	}
	c.CreatedAt = timeOf(created)
	if err := portal.UnmarshalCustom([]byte(custom), &c.Custom); err != nil {
		return nil, fmt.Errorf("company %s: custom attributes: %w", c.ID, err)
	}
	return &c, nil
}

// FindCompany finds a company by id, company_id or name (folded). A name
// several companies share is EINVALID; a key no company has but a
// membership or ticket names comes back as it is with an empty name;
// otherwise ENOTFOUND.
func (s *Store) FindCompany(ctx context.Context, key string) (id, name string, err error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return "", "", portal.Errorf(portal.EINVALID, "no company given; pass its id, company_id or name")
	}
	if !storable(key) {
		return "", "", portal.Errorf(portal.ENOTFOUND, "no company has the id, company_id or name %q", key)
	}
	for _, q := range []string{`SELECT id, coalesce(name, '') FROM companies WHERE id = $1`, `SELECT id, coalesce(name, '') FROM companies WHERE company_id = $1`} {
		err := s.pool.QueryRow(ctx, q, key).Scan(&id, &name)
		if err == nil {
			return id, name, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return "", "", dbError(err)
		}
	}
	rows, err := s.pool.Query(ctx, `SELECT id, coalesce(name, '') FROM companies WHERE name_fold = $1 ORDER BY id LIMIT 2`, portal.Fold(key))
	if err != nil {
		return "", "", dbError(err)
	}
	var ids, names []string
	for rows.Next() {
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return "", "", dbError(err)
		}
		ids, names = append(ids, id), append(names, name)
	}
	if err := rows.Err(); err != nil {
		return "", "", dbError(err)
	}
	switch len(ids) {
	case 1:
		return ids[0], names[0], nil
	case 0:
		var used bool
		if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM memberships WHERE company_id = $1) OR EXISTS (SELECT 1 FROM tickets WHERE company_id = $1)`, key).Scan(&used); err != nil {
			return "", "", dbError(err)
		}
		if used {
			return key, "", nil
		}
		return "", "", portal.Errorf(portal.ENOTFOUND, "no company has the id, company_id or name %q", key)
	}
	return "", "", portal.Errorf(portal.EINVALID, "the name %q belongs to more than one company; name the company by id or company_id", key)
}

// Companies returns the companies with those ids (the ones that exist),
// by id.
func (s *Store) Companies(ctx context.Context, ids []string) ([]*portal.Company, error) {
	ids = storableOnly(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+companyColumns+` FROM companies c WHERE c.id = ANY($1) ORDER BY c.id`, ids)
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	var out []*portal.Company
	for rows.Next() {
		c, err := scanCompany(rows)
		if err != nil {
			return nil, dbError(err)
		}
		out = append(out, c)
	}
	return out, dbError(rows.Err())
}
