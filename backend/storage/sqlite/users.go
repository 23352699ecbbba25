package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/listpage"
)

// This file holds the reads of users: by id, key, external_id or email,
// with their companies, and the admin's user search.

const userColumns = `id, coalesce(external_id, ''), coalesce(email, ''), coalesce(name, ''), coalesce(role, ''), created_at, signed_up_at, last_seen_at, custom`

func scanUser(sc interface{ Scan(...any) error }) (*portal.User, error) {
	var u portal.User
	var created, signed, seen sql.NullInt64
	var custom string
	if err := sc.Scan(&u.ID, &u.ExternalID, &u.Email, &u.Name, &u.Role, &created, &signed, &seen, &custom); err != nil {
		return nil, err
	}
	u.CreatedAt, u.SignedUpAt, u.LastSeenAt = timeOf(created), timeOf(signed), timeOf(seen)
	if err := portal.UnmarshalCustom([]byte(custom), &u.Custom); err != nil {
		return nil, fmt.Errorf("user %s: custom attributes: %w", u.ID, err)
	}
	return &u, nil
}

// FindUser finds a user by id, external_id or email (case-insensitive).
// It returns ENOTFOUND when none matches, and EINVALID when an email
// belongs to several contacts (never a guess).
func (ds *DirectoryStore) FindUser(ctx context.Context, key string) (*portal.User, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return nil, portal.Errorf(portal.EINVALID, "no user given; pass an email, an id or an external_id")
	}
	// By id first, through the read cache (an admin previews one user
	// after another, and again).
	if u, err := ds.UserByID(ctx, key); portal.ErrorCode(err) != portal.ENOTFOUND {
		return u, err
	}
	u, err := scanUser(ds.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE external_id = ?`, key))
	if err == nil {
		return ds.withCompanies(ctx, u)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	u, err = ds.UserByEmail(ctx, key)
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
func (ds *DirectoryStore) ByExternalID(ctx context.Context, externalID string) (*portal.User, error) {
	u, err := scanUser(ds.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE external_id = ?`, externalID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, portal.Errorf(portal.ENOTFOUND, "no user has the external_id %q", externalID)
	}
	if err != nil {
		return nil, err
	}
	return ds.withCompanies(ctx, u)
}

func (ds *DirectoryStore) withCompanies(ctx context.Context, u *portal.User) (*portal.User, error) {
	rows, err := ds.query(ctx, `SELECT m.company_id FROM memberships m JOIN users u ON u.seq = m.user_seq WHERE u.id = ? ORDER BY m.position, m.company_id`, u.ID)
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

// Subject returns the user with the companies of theirs that are in the
// workspace, ready for rule evaluation.
func (ds *DirectoryStore) Subject(ctx context.Context, u *portal.User) (portal.Subject, error) {
	return ds.cachedSubject(ctx, u)
}

func (ds *DirectoryStore) subject(ctx context.Context, u *portal.User) (portal.Subject, error) {
	sub := portal.Subject{User: u}
	rows, err := ds.query(ctx, `SELECT `+companyColumns+` FROM users u JOIN memberships m ON m.user_seq = u.seq JOIN companies c ON c.id = m.company_id
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

// UserName returns the names of users by id, for showing creators.
func (ds *DirectoryStore) UserNames(ctx context.Context, ids []string) (map[string]string, error) {
	ids = listpage.Dedupe(ids)
	if len(ids) == 0 {
		return map[string]string{}, nil
	}
	return scanPairs(ds.query(ctx, `SELECT id, coalesce(name, coalesce(email, '')) FROM users WHERE id IN (`+placeholders(len(ids))+`)`, strArgs(ids)...))
}

// UserWithCompanies returns the id of a user who belongs to exactly n
// companies (the first by id), or ENOTFOUND. Benchmarks use it to find a
// typical busy user.
func (ds *DirectoryStore) UserWithCompanies(ctx context.Context, n int) (string, error) {
	var id string
	err := ds.queryRow(ctx, `SELECT u.id FROM memberships m JOIN users u ON u.seq = m.user_seq GROUP BY m.user_seq HAVING count(*) = ? ORDER BY m.user_seq LIMIT 1`, n).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", portal.Errorf(portal.ENOTFOUND, "no user belongs to %d companies", n)
	}
	return id, err
}

// SearchUsers finds users whose email or name contains q (case- and
// diacritic-insensitive), for picking a user to preview; at most limit,
// in workspace order.
func (ds *DirectoryStore) SearchUsers(ctx context.Context, q string, limit int) ([]portal.UserSummary, error) {
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
		rows, err = ds.query(ctx, `SELECT u.id, coalesce(u.email, ''), coalesce(u.name, '') FROM user_trgm t JOIN users u ON u.seq = t.rowid
			WHERE user_trgm MATCH ? ORDER BY u.seq LIMIT ?`, "{email_fold name_fold} : "+ftsString(q), limit)
	} else {
		rows, err = ds.query(ctx, `SELECT u.id, coalesce(u.email, ''), coalesce(u.name, '') FROM users u
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

// UserByID returns the user with that id, with their companies, or
// ENOTFOUND.
func (ds *DirectoryStore) UserByID(ctx context.Context, id string) (*portal.User, error) {
	return ds.cachedUser(ctx, id)
}

func (ds *DirectoryStore) userByID(ctx context.Context, id string) (*portal.User, error) {
	u, err := scanUser(ds.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, portal.Errorf(portal.ENOTFOUND, "no user has the id %q", id)
	}
	if err != nil {
		return nil, err
	}
	return ds.withCompanies(ctx, u)
}

// UserByEmail returns the one user whose stored email is that very
// address, compared case-insensitively (strings.ToLower of both) and in
// no other way, with their companies. Identity rests on it, so the
// folding audience rules use (accents, compatibility forms: "böb" and
// fullwidth "ｂｏｂ" fold to "bob") never makes two addresses equal here.
// It returns ENOTFOUND when no contact has the address and ECONFLICT when
// several do (they differ only by case): an email never picks one of
// them by a guess.
//
// The lookup uses the email_fold index: every address equal to email
// case-insensitively folds to one of the keys asked for, and the few
// candidates are compared exactly in Go.
func (ds *DirectoryStore) UserByEmail(ctx context.Context, email string) (*portal.User, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, portal.Errorf(portal.ENOTFOUND, "no email given")
	}
	want := strings.ToLower(email)
	rows, err := ds.query(ctx, `SELECT id, coalesce(email, '') FROM users WHERE email_fold IN (?, ?) ORDER BY id`, portal.Fold(email), portal.Fold(want))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var id, stored string
		if err := rows.Scan(&id, &stored); err != nil {
			return nil, err
		}
		if strings.ToLower(stored) == want {
			found = append(found, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		return nil, portal.Errorf(portal.ENOTFOUND, "no user has the email %q", email)
	case 1:
		return ds.userByID(ctx, found[0])
	}
	return nil, portal.Errorf(portal.ECONFLICT, "the email %q belongs to %d contacts (%s), differing only by case", email, len(found), strings.Join(found, ", "))
}
