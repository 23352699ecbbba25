// Package studio is Portal Studio's application service: what the command
// line, the desktop bindings and the portal server call. Each method reads
// the workspace, applies the domain's decisions and returns plain values
// ready to print, render or send as JSON.
package studio

import (
	"context"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
)

// Service runs the product's operations on one workspace, through the
// domain's ports: it never knows which store holds the workspace.
type Service struct {
	Store Store
	// Audiences computes the sets of users rules match: the audience
	// engine (audience.Engine) over the same store.
	Audiences Audiences
	// Now returns the current time; tests and --now replace it.
	Now func() time.Time
}

// Store is what the service needs of a workspace: the domain's ports.
type Store interface {
	portal.Directory
	portal.TicketSearch
	portal.Importer
	portal.SettingsStore
	portal.CheckStore
	// TicketCounts returns the sizes of a user's two tabs: the portal
	// tickets they created, and those with their companies too.
	TicketCounts(ctx context.Context, userID string, companyIDs []string) (portal.TicketCounts, error)
	// Location says where the workspace is, for people: a file's path.
	Location() string
}

// Audiences computes who rules match, as sets of users: the audience
// engine (audience.Engine, over the same store's data). Every method
// returns EINVALID for a rule the schema does not allow.
type Audiences interface {
	Audience(ctx context.Context, rule *portal.Rule, s *portal.Schema, now time.Time, limit int) (int, []portal.UserSummary, error)
	AudienceFirst(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time, limit int) ([]portal.UserSummary, error)
	PortalSets(ctx context.Context, st *portal.Settings, s *portal.Schema, now time.Time) (audience.PortalSets, error)
	Impact(ctx context.Context, before, after *portal.Settings, s *portal.Schema, now time.Time) (*audience.Impact, error)
	ImpactUsers(ctx context.Context, im *audience.Impact, group string, offset, limit int) ([]portal.ImpactUser, error)
	CompanyExposure(ctx context.Context, p audience.PortalSets, a, b string) (audience.Exposure, error)
	Summaries(ctx context.Context, set *roaring.Bitmap, limit int) ([]portal.UserSummary, error)
}

var _ Audiences = (*audience.Engine)(nil)

// New returns a service over a workspace's store, with the audience
// engine over the same store.
func New(store Store, audiences Audiences) *Service {
	return &Service{Store: store, Audiences: audiences, Now: time.Now}
}

// Which settings an operation reads.
const (
	Draft = "draft"
	Live  = "live"
)

func (s *Service) settings(ctx context.Context, which string) (*portal.Settings, error) {
	switch which {
	case "", Draft:
		return s.Store.Draft(ctx)
	case Live:
		return s.Store.Live(ctx)
	}
	return nil, portal.Errorf(portal.EINVALID, "unknown settings %q; use draft or live", which)
}
