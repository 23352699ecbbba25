// Package studio is Portal Studio's application service: what the command
// line, the desktop bindings and the portal server call. Each method reads
// the workspace, applies the domain's decisions and returns plain values
// ready to print, render or send as JSON.
package studio

import (
	"context"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// Service runs the product's operations on one workspace.
type Service struct {
	WS *sqlite.Workspace
	// Now returns the current time; tests and --now replace it.
	Now func() time.Time
}

// New returns a service over ws.
func New(ws *sqlite.Workspace) *Service {
	return &Service{WS: ws, Now: time.Now}
}

// Which settings an operation reads.
const (
	Draft = "draft"
	Live  = "live"
)

func (s *Service) settings(ctx context.Context, which string) (*portal.Settings, error) {
	switch which {
	case "", Draft:
		return s.WS.Draft(ctx)
	case Live:
		return s.WS.Live(ctx)
	}
	return nil, portal.Errorf(portal.EINVALID, "unknown settings %q; use draft or live", which)
}
