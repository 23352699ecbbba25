package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"portalstudio/backend/portal"
	"strings"
)

// This file holds the reads of companies.

// FindCompany finds a company by id, company_id or name (case- and
// diacritic-insensitive). A name several companies share is refused as
// ambiguous; a key no imported company has is returned as it is (a
// membership or ticket may name a company not imported), with "".
func (ds *DirectoryStore) FindCompany(ctx context.Context, key string) (id, name string, err error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return "", "", portal.Errorf(portal.EINVALID, "no company given; pass its id, company_id or name")
	}
	for _, q := range []string{`SELECT id, coalesce(name, '') FROM companies WHERE id = ?`, `SELECT id, coalesce(name, '') FROM companies WHERE company_id = ?`} {
		err := ds.db.QueryRowContext(ctx, q, key).Scan(&id, &name)
		if err == nil {
			return id, name, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", "", err
		}
	}
	rows, err := ds.db.QueryContext(ctx, `SELECT id, coalesce(name, '') FROM companies WHERE name_fold = ? ORDER BY id LIMIT 2`, portal.Fold(key))
	if err != nil {
		return "", "", err
	}
	defer rows.Close()
	var ids, names []string
	for rows.Next() {
		if err := rows.Scan(&id, &name); err != nil {
			return "", "", err
		}
		ids, names = append(ids, id), append(names, name)
	}
	if err := rows.Err(); err != nil {
		return "", "", err
	}
	switch len(ids) {
	case 1:
		return ids[0], names[0], nil
	case 0:
		var n int
		if err := ds.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM memberships WHERE company_id = ?) + (SELECT count(*) FROM tickets WHERE company_id = ?)`, key, key).Scan(&n); err != nil {
			return "", "", err
		}
		if n > 0 {
			return key, "", nil
		}
		return "", "", portal.Errorf(portal.ENOTFOUND, "no company has the id, company_id or name %q", key)
	}
	return "", "", portal.Errorf(portal.EINVALID, "the name %q belongs to more than one company; name the company by id or company_id", key)
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
	if err := portal.UnmarshalCustom([]byte(custom), &c.Custom); err != nil {
		return nil, fmt.Errorf("company %s: custom attributes: %w", c.ID, err)
	}
	return &c, nil
}

// Companies returns companies by id (those present).
func (ds *DirectoryStore) Companies(ctx context.Context, ids []string) ([]*portal.Company, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := ds.query(ctx, `SELECT `+companyColumns+` FROM companies c WHERE c.id IN (`+placeholders(len(ids))+`) ORDER BY c.id`, args...)
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
