package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/wire"
)

// Actions and states of what the draft changes (impact), the portal tests
// and the explanations of the Preview page.
const (
	stateImpact  = "studio.impact"
	stateChecks  = "studio.checks"
	stateExplain = "studio.explain"
	stateCompare = "studio.compare"

	actionCheckAdd    = "checks/add"    // Value: the sentence
	actionCheckRemove = "checks/remove" // Value: the test's id
	actionExplain     = "preview/explain"
	actionCompare     = "preview/compare"
)

// impactState is whom the draft changes against live.
type impactState struct {
	Status Status
	Data   *wire.ImpactResult
	Err    *WireError
}

// checksState is the portal tests and their run against the draft.
type checksState struct {
	Status Status
	List   *wire.CheckList
	Report *wire.CheckReport
	Err    *WireError
	// AddErr says why the last test could not be added.
	AddErr string
}

// explainState is the Preview page's "why (not)" for one pane's user.
type explainState struct {
	Status Status
	Pane   int
	Ticket string
	Data   *wire.ExplainResult
	Err    *WireError
}

// explainAction asks why pane's user does or does not see a ticket.
type explainAction struct {
	Pane   int
	Ticket string
}

// compareState is the two panes' tickets compared.
type compareState struct {
	Status Status
	A, B   string // the users compared
	Data   *wire.CompareResult
	Err    *WireError
}

// impactListLimit is how many users each impact group lists.
const impactListLimit = 10

func init() {
	app.Handle(actionCheckAdd, handleCheckAdd)
	app.Handle(actionCheckRemove, handleCheckRemove)
	app.Handle(actionExplain, handleExplain)
	app.Handle(actionCompare, handleCompare)
}

// loadImpact computes whom the draft changes; a newer call cancels it.
func loadImpact(ctx app.Context) {
	n, cctx := startRequest(ctx, stateImpact)
	prev := update(ctx, stateImpact, func(s *impactState) { *s = impactState{Status: Loading, Data: s.Data} })
	var res wire.ImpactResult
	err := bridge().Call(cctx, "Impact", &res, wire.ImpactRequest{Limit: impactListLimit, Tickets: true})
	ifLatest(ctx, stateImpact, n, func(ctx app.Context) {
		switch {
		case err == nil:
			ctx.SetState(stateImpact, impactState{Status: Loaded, Data: &res})
			// The pages shown were of the previous draft.
			ctx.SetState(stateImpactPage, impactPageState{})
		case toWire(err).Code != codeCanceled:
			ctx.SetState(stateImpact, impactState{Status: Failed, Err: toWire(err), Data: prev.Data})
		}
	})
}

// loadChecks lists the portal tests and runs them against the draft.
func loadChecks(ctx app.Context) {
	n, cctx := startRequest(ctx, stateChecks)
	var rep wire.CheckReport
	err := bridge().Call(cctx, "RunChecks", &rep, "draft")
	updateLatest(ctx, stateChecks, n, stateChecks, func(s *checksState) {
		switch {
		case err == nil:
			list := &wire.CheckList{Checks: []wire.Check{}}
			for _, o := range rep.Results {
				list.Checks = append(list.Checks, o.Check)
			}
			*s = checksState{Status: Loaded, List: list, Report: &rep}
		case toWire(err).Code != codeCanceled:
			*s = checksState{Status: Failed, Err: toWire(err), Report: s.Report, List: s.List}
		}
	})
}

func handleCheckAdd(ctx app.Context, a app.Action) {
	text, _ := a.Value.(string)
	var list wire.CheckList
	if err := bridge().Call(ctx, "AddCheck", &list, text); err != nil {
		update(ctx, stateChecks, func(s *checksState) { s.AddErr = toWire(err).Message })
		return
	}
	loadChecks(ctx)
}

func handleCheckRemove(ctx app.Context, a app.Action) {
	id, _ := a.Value.(int)
	var list wire.CheckList
	if err := bridge().Call(ctx, "RemoveCheck", &list, id); err != nil {
		update(ctx, stateChecks, func(s *checksState) { s.AddErr = toWire(err).Message })
		return
	}
	loadChecks(ctx)
}

// handleExplain explains a ticket for one pane's user (a ticket clicked
// in the list, in the comparison, or typed).
func handleExplain(ctx app.Context, a app.Action) {
	ea, ok := a.Value.(explainAction)
	if !ok || ea.Pane < 0 || ea.Pane > 1 || ea.Ticket == "" {
		return
	}
	var p previewState
	ctx.GetState(statePreview, &p)
	u := p.Panes[ea.Pane].User
	if u == nil {
		return
	}
	n, cctx := startRequest(ctx, stateExplain)
	ctx.SetState(stateExplain, explainState{Status: Loading, Pane: ea.Pane, Ticket: ea.Ticket})
	var res wire.ExplainResult
	err := bridge().Call(cctx, "Explain", &res, wire.ExplainRequest{User: u.ID, Ticket: ea.Ticket})
	ifLatest(ctx, stateExplain, n, func(ctx app.Context) {
		if err != nil {
			ctx.SetState(stateExplain, explainState{Status: Failed, Pane: ea.Pane, Ticket: ea.Ticket, Err: toWire(err)})
			return
		}
		ctx.SetState(stateExplain, explainState{Status: Loaded, Pane: ea.Pane, Ticket: ea.Ticket, Data: &res})
	})
}

// handleCompare compares the tickets the two panes' users see.
func handleCompare(ctx app.Context, a app.Action) {
	var p previewState
	ctx.GetState(statePreview, &p)
	ua, ub := p.Panes[0].User, p.Panes[1].User
	if ua == nil || ub == nil {
		ctx.SetState(stateCompare, compareState{})
		return
	}
	n, cctx := startRequest(ctx, stateCompare)
	ctx.SetState(stateCompare, compareState{Status: Loading, A: ua.ID, B: ub.ID})
	var res wire.CompareResult
	err := bridge().Call(cctx, "Compare", &res, wire.CompareRequest{A: ua.ID, B: ub.ID})
	ifLatest(ctx, stateCompare, n, func(ctx app.Context) {
		switch {
		case err == nil:
			ctx.SetState(stateCompare, compareState{Status: Loaded, A: ua.ID, B: ub.ID, Data: &res})
		case toWire(err).Code != codeCanceled:
			ctx.SetState(stateCompare, compareState{Status: Failed, A: ua.ID, B: ub.ID, Err: toWire(err)})
		}
	})
}
