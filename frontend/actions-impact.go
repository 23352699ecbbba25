package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// The impact list's pages, and a listed user opened in Preview.

const (
	actionImpactPage = "impact/page" // Value: impactPageRequest
	actionImpactOpen = "impact/open" // Value: portal.UserSummary
	stateImpactPage  = "studio.impact.page"
)

// impactPageRequest asks for the users of one impact group from Offset.
type impactPageRequest struct {
	Group  string
	Offset int
}

// impactPageState is one page of an impact group's users: the group's
// count as computed for this page, and the page.
type impactPageState struct {
	Status Status
	Group  string
	Offset int
	Count  int
	Users  []portal.ImpactUser
	Err    *WireError
}

func init() {
	app.Handle(actionImpactPage, handleImpactPage)
	app.Handle(actionImpactOpen, handleImpactOpen)
}

// handleImpactPage loads a page of a group's users, with the tickets each
// sees before and after; only the latest request lands.
func handleImpactPage(ctx app.Context, a app.Action) {
	req, ok := a.Value.(impactPageRequest)
	if !ok || req.Offset < 0 {
		return
	}
	n, cctx := startRequest(ctx, stateImpactPage)
	update(ctx, stateImpactPage, func(s *impactPageState) {
		if s.Group != req.Group {
			*s = impactPageState{Group: req.Group}
		}
		s.Status, s.Err = Loading, nil
	})
	var res wire.ImpactResult
	err := bridge().Call(cctx, "Impact", &res, wire.ImpactRequest{Group: req.Group, Limit: impactListLimit, Offset: req.Offset, Tickets: true})
	if err != nil && toWire(err).Code == codeCanceled {
		return
	}
	updateLatest(ctx, stateImpactPage, n, stateImpactPage, func(s *impactPageState) {
		if err != nil {
			s.Status, s.Err = Failed, toWire(err)
			return
		}
		g := res.Group(req.Group)
		if g == nil {
			s.Status, s.Err = Failed, &WireError{Code: codeInvalid, Message: "There is no impact group " + req.Group + "."}
			return
		}
		*s = impactPageState{Status: Loaded, Group: req.Group, Offset: g.Offset, Count: g.Count, Users: g.Users}
	})
}

// handleImpactOpen previews a listed user: the Preview page opens with
// them in the first pane.
func handleImpactOpen(ctx app.Context, a app.Action) {
	u, ok := a.Value.(portal.UserSummary)
	if !ok || u.ID == "" {
		return
	}
	update(ctx, statePreview, func(p *previewState) {
		p.Panes[0] = paneState{User: &u}
	})
	onUI(ctx, func(ctx app.Context) { ctx.Navigate("/preview") })
}
