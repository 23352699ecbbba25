package studio

import (
	"context"
	"strings"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/portal/words"
	"portalstudio/backend/wire"
)

// Impact compares every user's state (no access, all company tickets, own
// tickets only) under the live settings and under the draft, computed as
// sets (see sqlite.Workspace.Impact), and lists one page of each group.
func (s *Service) Impact(ctx context.Context, req wire.ImpactRequest) (*wire.ImpactResult, error) {
	live, err := s.Store.Live(ctx)
	if err != nil {
		return nil, err
	}
	draft, err := s.Store.Draft(ctx)
	if err != nil {
		return nil, err
	}
	return s.ImpactOf(ctx, live, draft, req)
}

// ImpactOf is Impact between any two settings documents.
func (s *Service) ImpactOf(ctx context.Context, before, after *portal.Settings, req wire.ImpactRequest) (*wire.ImpactResult, error) {
	if req.Limit == 0 {
		req.Limit = 20
	}
	if req.Limit < 0 || req.Limit > 1000 {
		return nil, portal.Errorf(portal.EINVALID, "limit must be from 0 to 1000")
	}
	if req.Offset < 0 {
		return nil, portal.Errorf(portal.EINVALID, "offset must not be negative")
	}
	if req.Group != "" && (&wire.ImpactResult{}).Group(req.Group) == nil {
		return nil, portal.Errorf(portal.EINVALID, "unknown group %q; use %s", req.Group, strings.Join(portal.ImpactGroups, ", "))
	}
	now := req.Now
	if now.IsZero() {
		now = s.Now()
	}
	schema, err := s.Store.Schema(ctx)
	if err != nil {
		return nil, err
	}
	im, err := s.Audiences.Impact(ctx, before, after, schema, now)
	if err != nil {
		return nil, err
	}
	res := &wire.ImpactResult{LiveVersion: before.Version, Users: im.Users, Before: im.Before, After: im.After}
	var listed []*portal.ImpactUser
	for _, g := range portal.ImpactGroups {
		grp := res.Group(g)
		grp.Count = im.Count(g)
		res.Changed += grp.Count
		grp.Users = []portal.ImpactUser{}
		if req.Group != "" && req.Group != g {
			continue
		}
		grp.Offset = req.Offset
		if grp.Users, err = s.Audiences.ImpactUsers(ctx, im, g, req.Offset, req.Limit); err != nil {
			return nil, err
		}
		for i := range grp.Users {
			listed = append(listed, &grp.Users[i])
		}
	}
	if err := s.sayWhy(ctx, listed, after, schema, now, req.Tickets); err != nil {
		return nil, err
	}
	for _, g := range portal.ImpactGroups {
		res.Group(g).Sentence = words.Group(g, res.Group(g).Count)
	}
	res.Summary = ImpactSummary(res)
	return res, nil
}

// sayWhy gives each listed user's change its sentence, from their
// decision under the new settings, and with tickets how many tickets
// they see before and after. The users of every group listed are read
// in one batch (a page is at most a thousand users a group).
func (s *Service) sayWhy(ctx context.Context, users []*portal.ImpactUser, after *portal.Settings, schema *portal.Schema, now time.Time, tickets bool) error {
	if len(users) == 0 {
		return nil
	}
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	subs, err := s.Store.Subjects(ctx, ids)
	if err != nil {
		return err
	}
	for _, u := range users {
		sub, ok := subs[u.ID]
		if !ok {
			return portal.Errorf(portal.ENOTFOUND, "no user has the id %q", u.ID)
		}
		if tickets {
			c, err := s.Store.TicketCounts(ctx, u.ID, sub.User.CompanyIDs)
			if err != nil {
				return err
			}
			b, a := ticketsIn(c, u.Before), ticketsIn(c, u.After)
			u.TicketsBefore, u.TicketsAfter = &b, &a
		}
		u.Sentence = words.ChangeDecided(*u, after, portal.Decide(after, schema, sub, now), schema)
	}
	return nil
}

// ticketsIn returns how many tickets a user sees in a state: none, their
// own (the Created by me tab), or all (the All tab holds their own too).
func ticketsIn(c portal.TicketCounts, state string) int {
	switch state {
	case portal.StateAll:
		return c.All
	case portal.StateOwn:
		return c.Mine
	}
	return 0
}

// UserImpact is one user's portal under live and under the draft: state
// and how many tickets they see, gain and lose.
func (s *Service) UserImpact(ctx context.Context, req wire.UserImpactRequest) (*wire.UserImpact, error) {
	u, err := s.Store.FindUser(ctx, req.User)
	if err != nil {
		return nil, err
	}
	now := req.Now
	if now.IsZero() {
		now = s.Now()
	}
	var states [2]string
	for i, which := range []string{Live, Draft} {
		st, err := s.settings(ctx, which)
		if err != nil {
			return nil, err
		}
		d, _, err := s.decide(ctx, st, u, now)
		if err != nil {
			return nil, err
		}
		states[i] = stateOfDecision(d)
	}
	c, err := s.Store.TicketCounts(ctx, u.ID, u.CompanyIDs)
	if err != nil {
		return nil, err
	}
	out := &wire.UserImpact{User: portal.UserSummary{ID: u.ID, Email: u.Email, Name: u.Name}, Before: states[0], After: states[1],
		Group: groupOf(states[0], states[1]), TicketsBefore: ticketsIn(c, states[0]), TicketsAfter: ticketsIn(c, states[1])}
	// The tickets of a state include those of any smaller one (none ⊆ own
	// ⊆ all), so the difference of the counts is what is gained or lost.
	if d := out.TicketsAfter - out.TicketsBefore; d > 0 {
		out.Gained = d
	} else {
		out.Lost = -d
	}
	return out, nil
}

// stateOfDecision is a decision's state: none, own or all.
func stateOfDecision(d portal.Decision) string {
	switch {
	case !d.Access:
		return portal.StateNone
	case d.Restricted:
		return portal.StateOwn
	}
	return portal.StateAll
}

// groupOf returns the impact group of a change of state, or "".
func groupOf(before, after string) string {
	switch {
	case before == after:
		return ""
	case before == portal.StateNone:
		return portal.GainAccess
	case after == portal.StateNone:
		return portal.LoseAccess
	case after == portal.StateOwn:
		return portal.BecomeRestricted
	}
	return portal.BecomeUnrestricted
}

// ImpactSummary says in one sentence what a change does: "This change
// restricts 1,204 users and removes access for 3."
func ImpactSummary(r *wire.ImpactResult) string {
	if r.Changed == 0 {
		return "This change affects no user."
	}
	var parts []string
	if n := r.GainAccess.Count; n > 0 {
		parts = append(parts, "gives access to "+users(n))
	}
	if n := r.LoseAccess.Count; n > 0 {
		parts = append(parts, "removes access for "+users(n))
	}
	if n := r.BecomeRestricted.Count; n > 0 {
		parts = append(parts, "restricts "+users(n)+" to their own tickets")
	}
	if n := r.BecomeUnrestricted.Count; n > 0 {
		parts = append(parts, "lets "+users(n)+" see all their company tickets")
	}
	s := parts[0]
	if len(parts) > 1 {
		s = strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	return "This change " + s + "."
}

// users says "1 user" or "1,204 users".
func users(n int) string {
	if n == 1 {
		return "1 user"
	}
	return Thousands(n) + " users"
}

// Thousands writes n with commas: 1204 → "1,204".
func Thousands(n int) string { return portal.Thousands(n) }

// nowOr returns t, or the service's now when t is zero.
func (s *Service) nowOr(t time.Time) time.Time {
	if t.IsZero() {
		return s.Now()
	}
	return t
}
