package sqlite

import (
	"context"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/listpage"
)

// Subjects returns the users with those ids that exist, each with their
// companies and those of them the workspace holds, in three reads
// whatever their number (a page of the impact list is up to a thousand
// users).
func (ds *DirectoryStore) Subjects(ctx context.Context, ids []string) (map[string]portal.Subject, error) {
	out := map[string]portal.Subject{}
	ids = listpage.Dedupe(ids)
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	in := placeholders(len(ids))
	rows, err := ds.query(ctx, `SELECT `+userColumns+` FROM users WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out[u.ID] = portal.Subject{User: u}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// The memberships, then the companies held, each in the user's order.
	if rows, err = ds.query(ctx, `SELECT u.id, m.company_id FROM users u JOIN memberships m ON m.user_seq = u.seq
		WHERE u.id IN (`+in+`) ORDER BY u.seq, m.position, m.company_id`, args...); err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var uid, cid string
		if err := rows.Scan(&uid, &cid); err != nil {
			return nil, err
		}
		if s, ok := out[uid]; ok {
			s.User.CompanyIDs = append(s.User.CompanyIDs, cid)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if rows, err = ds.query(ctx, `SELECT `+companyColumns+`, u.id FROM users u JOIN memberships m ON m.user_seq = u.seq JOIN companies c ON c.id = m.company_id
		WHERE u.id IN (`+in+`) ORDER BY u.seq, m.position, m.company_id`, args...); err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var uid string
		c, err := scanCompany(suffixed{rows, &uid})
		if err != nil {
			return nil, err
		}
		if s, ok := out[uid]; ok {
			s.Companies = append(s.Companies, c)
			out[uid] = s
		}
	}
	return out, rows.Err()
}

// suffixed scans the leading columns as sc would and one more into last.
type suffixed struct {
	sc   interface{ Scan(...any) error }
	last any
}

func (s suffixed) Scan(dest ...any) error { return s.sc.Scan(append(dest, s.last)...) }
