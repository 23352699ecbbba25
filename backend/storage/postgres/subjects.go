package postgres

import (
	"context"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/listpage"
)

// Subjects returns the users with those ids that exist, each with their
// companies and those of them the workspace holds, in two statements
// whatever their number.
func (s *Store) Subjects(ctx context.Context, ids []string) (map[string]portal.Subject, error) {
	out := map[string]portal.Subject{}
	ids = storableOnly(listpage.Dedupe(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+`,
		(SELECT array_agg(m.company_id ORDER BY m.position, m.company_id) FROM memberships m WHERE m.user_seq = users.seq)
		FROM users WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var companies []string
		u, err := scanUser(suffixRow{rows: rows, suffix: []any{&companies}})
		if err != nil {
			return nil, dbError(err)
		}
		if len(companies) > 0 {
			u.CompanyIDs = companies
		}
		out[u.ID] = portal.Subject{User: u}
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err)
	}
	rows.Close()
	rows, err = s.pool.Query(ctx, `SELECT `+companyColumns+`, u.id FROM users u JOIN memberships m ON m.user_seq = u.seq JOIN companies c ON c.id = m.company_id
		WHERE u.id = ANY($1) ORDER BY u.seq, m.position, m.company_id`, ids)
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid string
		c, err := scanCompany(suffixRow{rows: rows, suffix: []any{&uid}})
		if err != nil {
			return nil, dbError(err)
		}
		if sub, ok := out[uid]; ok {
			sub.Companies = append(sub.Companies, c)
			out[uid] = sub
		}
	}
	return out, dbError(rows.Err())
}
