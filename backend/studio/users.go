package studio

import (
	"context"
	"sort"
	"time"

	"portalstudio/backend/wire"

	"portalstudio/backend/portal"
)

// FindUsers finds users to preview by email or name (case- and
// diacritic-insensitive substring), at most limit.
func (s *Service) FindUsers(ctx context.Context, query string, limit int) ([]portal.UserSummary, error) {
	return s.Store.SearchUsers(ctx, query, limit)
}

// SampleUsers picks one restricted, one unrestricted and one user without
// access under the draft (or live) settings: the preview's shortcuts. A
// kind no user has is nil. The restricted and unrestricted ones are the
// first of the example pairs (see samplePairs) when there is one, so that
// side by side they show the difference.
func (s *Service) SampleUsers(ctx context.Context, which string) (*wire.Samples, error) {
	ctx = portal.BeginReads(ctx) // its reads share one check of the store's cache
	st, err := s.settings(ctx, which)
	if err != nil {
		return nil, err
	}
	schema, err := s.Store.Schema(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	first := func(rule, except *portal.Rule) (*portal.UserSummary, error) {
		users, err := s.Audiences.AudienceFirst(ctx, rule, except, schema, now, 1)
		if err != nil || len(users) == 0 {
			return nil, err
		}
		return &users[0], nil
	}
	out := &wire.Samples{}
	access, _, _ := AudienceRule(st, OfAccess)
	restricted, _, _ := AudienceRule(st, OfVisibility)
	if out.Restricted, err = first(restricted, nil); err != nil {
		return nil, err
	}
	if out.Unrestricted, err = first(access, restricted); err != nil {
		return nil, err
	}
	if out.NoAccess, err = first(portal.Everyone(), access); err != nil {
		return nil, err
	}
	if out.Pairs, err = s.samplePairs(ctx, access, restricted, schema, now); err != nil {
		return nil, err
	}
	if len(out.Pairs) > 0 {
		out.Restricted, out.Unrestricted = out.Pairs[0].Restricted, out.Pairs[0].Unrestricted
	}
	return out, nil
}

// How many restricted users samplePairs looks at, and how many pairs it
// returns: enough to cycle through, a bounded cost on a large workspace.
const (
	sampleCandidates = 100
	samplePairsMax   = 5
)

// samplePairs finds restricted users with tickets in their companies that
// they cannot see (the ones they did not create) — those with tickets of
// their own first, then the most hidden tickets — each beside an
// unrestricted colleague of one of those companies.
func (s *Service) samplePairs(ctx context.Context, access, restricted *portal.Rule, schema *portal.Schema, now time.Time) ([]wire.SamplePair, error) {
	if access == nil || restricted == nil {
		return nil, nil
	}
	users, err := s.Audiences.AudienceFirst(ctx, restricted, nil, schema, now, sampleCandidates)
	if err != nil {
		return nil, err
	}
	type candidate struct {
		user      portal.UserSummary
		companies []string
		hidden    int
		mine      int
	}
	var cands []candidate
	for _, us := range users {
		u, err := s.Store.UserByID(ctx, us.ID)
		if err != nil {
			return nil, err
		}
		if len(u.CompanyIDs) == 0 {
			continue
		}
		n, err := s.Store.TicketCounts(ctx, u.ID, u.CompanyIDs)
		if err != nil {
			return nil, err
		}
		if hidden := n.All - n.Mine; hidden > 0 {
			cands = append(cands, candidate{us, u.CompanyIDs, hidden, n.Mine})
		}
	}
	// Users with tickets of their own first (their pane is not empty),
	// then the most hidden tickets.
	sort.SliceStable(cands, func(i, j int) bool {
		if (cands[i].mine > 0) != (cands[j].mine > 0) {
			return cands[i].mine > 0
		}
		return cands[i].hidden > cands[j].hidden
	})
	var pairs []wire.SamplePair
	for _, c := range cands {
		if len(pairs) == samplePairsMax {
			break
		}
		for _, co := range c.companies {
			colleagues, err := s.Audiences.AudienceFirst(ctx, portal.AllOf(access, portal.Cond("company.id", portal.OpEquals, co)), restricted, schema, now, 1)
			if err != nil {
				return nil, err
			}
			if len(colleagues) == 0 {
				continue
			}
			r, colleague := c.user, colleagues[0]
			pairs = append(pairs, wire.SamplePair{Restricted: &r, Unrestricted: &colleague, Company: s.companyName(ctx, co), Hidden: c.hidden})
			break
		}
	}
	return pairs, nil
}

// companyName is a company's name, else its id.
func (s *Service) companyName(ctx context.Context, id string) string {
	cs, err := s.Store.Companies(ctx, []string{id})
	if err != nil || len(cs) == 0 || cs[0].Name == "" {
		return id
	}
	return cs[0].Name
}
