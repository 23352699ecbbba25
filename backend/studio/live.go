package studio

import (
	"context"
	"time"

	"portalstudio/backend/portal"
)

// Decide decides access, restriction and tabs for a user already found,
// under the draft (default) or live settings at the service's Now, and
// says whether the portal is on at all: what the portal server checks
// before answering a request.
func (s *Service) Decide(ctx context.Context, u *portal.User, which string) (d portal.Decision, enabled bool, err error) {
	return s.DecideWith(ctx, u, nil, which)
}

// DecideWith is Decide with what the caller prefetched for the request
// (see PreviewUserWith).
func (s *Service) DecideWith(ctx context.Context, u *portal.User, pre *portal.Prefetched, which string) (d portal.Decision, enabled bool, err error) {
	dc, err := s.decideWith(ctx, which, u, pre, time.Time{})
	if err != nil {
		return dc.d, false, err
	}
	return dc.d, dc.st.Portal.Enabled, nil
}
