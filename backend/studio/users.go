package studio

import (
	"context"

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
// kind no user has is nil.
func (s *Service) SampleUsers(ctx context.Context, which string) (*wire.Samples, error) {
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
		users, err := s.Store.AudienceFirst(ctx, rule, except, schema, now, 1)
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
	return out, nil
}
