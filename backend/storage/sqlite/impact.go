package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
)

// Impact, portal tests and explanations read the workspace as sets of
// users: under one settings document, who has access and who of them is
// restricted, each an audience bitmap (columns or indexed SQL, see
// audience_query.go); comparing two documents is set algebra on those bitmaps
// (package audience), never a loop over the users.

// setCache evaluates rules to audiences once per distinct rule: the draft
// and live often share their access rule or their conditions.
type setCache struct {
	ws     *Workspace
	ctx    context.Context
	schema *portal.Schema
	now    time.Time
	sets   map[string]*roaring.Bitmap
	// shared: the SQL path computes each condition once for all the
	// rules.
	shared *sharedSets
}

func (ws *Workspace) newSetCache(ctx context.Context, s *portal.Schema, now time.Time) *setCache {
	return &setCache{ws: ws, ctx: ctx, schema: s, now: now, sets: map[string]*roaring.Bitmap{}, shared: newSharedSets()}
}

// of returns the users rule matches; the set is shared: never change it.
func (c *setCache) of(rule *portal.Rule) (*roaring.Bitmap, error) {
	key, err := json.Marshal(rule)
	if err != nil {
		return nil, err
	}
	if b, ok := c.sets[string(key)]; ok {
		return b, nil
	}
	b, err := c.ws.audienceShared(c.ctx, rule, nil, c.schema, c.now, c.shared)
	if err != nil {
		return nil, err
	}
	c.sets[string(key)] = b
	return b, nil
}

// prefetch evaluates the distinct rules of the documents at once, each on
// its own connection (the SQL path spends most of its time in SQLite).
func (c *setCache) prefetch(docs ...*portal.Settings) error {
	todo := map[string]*portal.Rule{}
	for _, st := range docs {
		for _, r := range audience.Rules(st) {
			key, err := json.Marshal(r)
			if err != nil {
				return err
			}
			if _, ok := c.sets[string(key)]; !ok {
				todo[string(key)] = r
			}
		}
	}
	if len(todo) < 2 {
		return nil
	}
	type result struct {
		key string
		set *roaring.Bitmap
		err error
	}
	ch := make(chan result, len(todo))
	for key, r := range todo {
		go func() {
			b, err := c.ws.audienceShared(c.ctx, r, nil, c.schema, c.now, c.shared)
			ch <- result{key, b, err}
		}()
	}
	var first error
	for range todo {
		res := <-ch
		if res.err != nil && first == nil {
			first = res.err
		}
		c.sets[res.key] = res.set
	}
	return first
}

// portalSets computes the sets of st, exactly as portal.Decide decides
// user by user.
func (c *setCache) portalSets(st *portal.Settings) (audience.PortalSets, error) {
	return audience.SetsOf(st, c.of)
}

// PortalSets returns who has access under st and who of them is
// restricted, at now.
func (ws *Workspace) PortalSets(ctx context.Context, st *portal.Settings, s *portal.Schema, now time.Time) (audience.PortalSets, error) {
	return ws.newSetCache(ctx, s, now).portalSets(st)
}

// Impact compares the users' states under before and after (see
// audience.NewImpact). Each audience is computed once (the two documents
// usually share rules).
func (ws *Workspace) Impact(ctx context.Context, before, after *portal.Settings, s *portal.Schema, now time.Time) (*audience.Impact, error) {
	c := ws.newSetCache(ctx, s, now)
	if err := c.prefetch(before, after); err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	b, err := c.portalSets(before)
	if err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	a, err := c.portalSets(after)
	if err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	var n int
	if err := ws.db.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return nil, err
	}
	return audience.NewImpact(n, b, a), nil
}

// ImpactUsers returns limit users of an impact group from offset, in
// workspace order, with their states and names.
func (ws *Workspace) ImpactUsers(ctx context.Context, im *audience.Impact, group string, offset, limit int) ([]portal.ImpactUser, error) {
	out := []portal.ImpactUser{}
	seqs, err := im.Page(group, offset, limit)
	if err != nil || len(seqs) == 0 {
		return out, err
	}
	users, err := ws.summaries(ctx, seqs)
	if err != nil {
		return nil, err
	}
	for i, u := range users {
		before, after := im.States(seqs[i])
		out = append(out, portal.ImpactUser{ID: u.ID, Email: u.Email, Name: u.Name, Before: before, After: after})
	}
	return out, nil
}

// summaries returns the users of seqs, in the same order.
func (ws *Workspace) summaries(ctx context.Context, seqs []uint32) ([]portal.UserSummary, error) {
	if len(seqs) == 0 {
		return []portal.UserSummary{}, nil
	}
	args := make([]any, len(seqs))
	for i, s := range seqs {
		args[i] = int64(s)
	}
	rows, err := ws.db.QueryContext(ctx, `SELECT u.seq, u.id, coalesce(u.email, ''), coalesce(u.name, '') FROM users u WHERE u.seq IN (`+
		placeholders(len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	bySeq := map[uint32]portal.UserSummary{}
	for rows.Next() {
		var seq int64
		var u portal.UserSummary
		if err := rows.Scan(&seq, &u.ID, &u.Email, &u.Name); err != nil {
			return nil, err
		}
		bySeq[uint32(seq)] = u
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]portal.UserSummary, len(seqs))
	for i, s := range seqs {
		out[i] = bySeq[s]
	}
	return out, nil
}

// UserSeq returns the seq of the user with that id, or ENOTFOUND.
func (ws *Workspace) UserSeq(ctx context.Context, id string) (uint32, error) {
	var seq int64
	err := ws.db.QueryRowContext(ctx, `SELECT seq FROM users WHERE id = ?`, id).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, portal.Errorf(portal.ENOTFOUND, "no user has the id %q", id)
	}
	return uint32(seq), err
}

// portal.TicketCounts returns the sizes of the user's two tabs (index range
// counts; see countTickets).
func (ws *Workspace) TicketCounts(ctx context.Context, userID string, companyIDs []string) (portal.TicketCounts, error) {
	var c portal.TicketCounts
	var err error
	if c.Mine, err = ws.countTickets(ctx, userID, nil); err != nil {
		return c, err
	}
	if len(dedupe(companyIDs)) == 0 {
		c.All = c.Mine
		return c, nil
	}
	c.All, err = ws.countTickets(ctx, userID, companyIDs)
	return c, err
}

// CompanyExposure finds, with sets, the users of company a who see a
// portal ticket of company b under sets p (see audience.ExposureOf): the
// workspace gives the members of each company and the creators of b's
// portal tickets.
func (ws *Workspace) CompanyExposure(ctx context.Context, p audience.PortalSets, a, b string) (audience.Exposure, error) {
	var tickets int
	if err := ws.db.QueryRowContext(ctx, `SELECT count(*) FROM tickets t WHERE t.company_id = ? AND t.category = 'Customer' AND t.is_shared = 1`, b).Scan(&tickets); err != nil {
		return audience.Exposure{}, err
	}
	membersA, err := ws.seqs(ctx, `SELECT user_seq AS s FROM memberships WHERE company_id = ?`, a)
	if err != nil {
		return audience.Exposure{}, err
	}
	var membersB *roaring.Bitmap
	if tickets > 0 {
		if membersB, err = ws.seqs(ctx, `SELECT user_seq AS s FROM memberships WHERE company_id = ?`, b); err != nil {
			return audience.Exposure{}, err
		}
	}
	creators, err := ws.seqs(ctx, `SELECT DISTINCT u.seq AS s FROM tickets t JOIN users u ON u.id = t.creator_id
		WHERE t.company_id = ? AND t.category = 'Customer' AND t.is_shared = 1`, b)
	if err != nil {
		return audience.Exposure{}, err
	}
	return audience.ExposureOf(p, membersA, membersB, creators, tickets), nil
}

// Summaries returns the first limit users of a set, in workspace order.
func (ws *Workspace) Summaries(ctx context.Context, set *roaring.Bitmap, limit int) ([]portal.UserSummary, error) {
	out, err := ws.summaries(ctx, audience.Head(set, limit))
	if out == nil {
		out = []portal.UserSummary{}
	}
	return out, err
}
