package frontend

import (
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Actions of the Preview page. Their values are paneAction.
const (
	actionPreviewInit = "preview/init"   // pick sample users, (re)load both panes
	actionPick        = "preview/pick"   // User
	actionSample      = "preview/sample" // Text: "restricted" or "unrestricted"
	actionFindUsers   = "preview/find"   // Text: the query (debounced)
	actionTab         = "preview/tab"    // Text: all or mine
	actionSearch      = "preview/search" // Text: the query (debounced)
	actionMore        = "preview/more"   // the next page
	actionFilter      = "preview/filter" // Text: a filter's query parameter ("" clears them), Value, Toggle: see listFilter.changed
	actionOpenTicket  = "preview/open"   // Text: the ticket id
	actionCloseTicket = "preview/close"
	actionNextExample = "preview/next-example" // the next pair of Samples.Pairs, side by side
)

// paneAction says which pane an action is for.
type paneAction struct {
	Pane   int
	Text   string
	Value  string
	Toggle bool
	User   *portal.UserSummary
}

const paneListLimit = 10

func init() {
	app.Handle(actionPreviewInit, handlePreviewInit)
	app.Handle(actionPick, handlePick)
	app.Handle(actionSample, handleSample)
	app.Handle(actionFindUsers, handleFindUsers)
	app.Handle(actionTab, handleTab)
	app.Handle(actionSearch, handleSearch)
	app.Handle(actionMore, handleMore)
	app.Handle(actionFilter, handleFilter)
	app.Handle(actionOpenTicket, handleOpenTicket)
	app.Handle(actionCloseTicket, handleCloseTicket)
	app.Handle(actionNextExample, handleNextExample)
}

// handleNextExample puts the next example pair side by side: a restricted
// user who cannot see some of their company's tickets, and an unrestricted
// colleague who sees them. The examples are picked again (the draft may
// have changed), the index goes on from the last one.
func handleNextExample(ctx app.Context, a app.Action) {
	var samples wire.Samples
	if err := bridge().Call(ctx, "SampleUsers", &samples, "draft"); err != nil {
		update(ctx, statePreview, func(p *previewState) { p.Panes[0].Err = toWire(err) })
		return
	}
	ok := false
	update(ctx, statePreview, func(p *previewState) {
		p.Samples = &samples
		if len(samples.Pairs) == 0 {
			return
		}
		p.Example = (p.Example + 1) % len(samples.Pairs)
		pair := samples.Pairs[p.Example]
		p.Panes[0] = paneState{User: pair.Restricted}
		p.Panes[1] = paneState{User: pair.Unrestricted}
		ok = true
	})
	if !ok {
		return
	}
	go loadPane(ctx, 0, false)
	loadPane(ctx, 1, false)
}

func paneOf(a app.Action) (paneAction, bool) {
	pa, ok := a.Value.(paneAction)
	return pa, ok && pa.Pane >= 0 && pa.Pane < 2
}

// handlePreviewInit picks a restricted and an unrestricted user for the
// empty panes, and reloads every pane: the draft may have changed since.
func handlePreviewInit(ctx app.Context, a app.Action) {
	var samples wire.Samples
	err := bridge().Call(ctx, "SampleUsers", &samples, "draft")
	p := update(ctx, statePreview, func(p *previewState) {
		if err == nil {
			p.Samples = &samples
		}
		if p.Panes[0].User == nil && samples.Restricted != nil {
			p.Panes[0].User = samples.Restricted
		}
		if p.Panes[1].User == nil && samples.Unrestricted != nil {
			p.Panes[1].User = samples.Unrestricted
		}
		if p.Panes[0].User == nil && p.Panes[1].User == nil && samples.NoAccess != nil {
			p.Panes[0].User = samples.NoAccess
		}
	})
	for i := range p.Panes {
		if p.Panes[i].User != nil {
			go loadPane(ctx, i, false)
		}
	}
}

func handlePick(ctx app.Context, a app.Action) {
	pa, ok := paneOf(a)
	if !ok || pa.User == nil {
		return
	}
	update(ctx, statePreview, func(p *previewState) {
		was := p.Panes[pa.Pane]
		p.Panes[pa.Pane] = paneState{User: pa.User}
		// The user the pane shows, picked again: what it shows stays
		// until their portal is loaded again, rather than blanking.
		if was.User != nil && was.User.ID == pa.User.ID {
			p.Panes[pa.Pane].Result = was.Result
		}
	})
	loadPane(ctx, pa.Pane, false)
}

func handleSample(ctx app.Context, a app.Action) {
	pa, ok := paneOf(a)
	if !ok {
		return
	}
	var samples wire.Samples
	if err := bridge().Call(ctx, "SampleUsers", &samples, "draft"); err != nil {
		update(ctx, statePreview, func(p *previewState) { p.Panes[pa.Pane].Err = toWire(err) })
		return
	}
	u := samples.Unrestricted
	if pa.Text == "restricted" {
		u = samples.Restricted
	}
	if u == nil {
		update(ctx, statePreview, func(p *previewState) {
			p.Samples = &samples
			p.Panes[pa.Pane].Err = &WireError{Code: "not_found", Message: "No user is " + pa.Text + " under the draft settings."}
		})
		return
	}
	update(ctx, statePreview, func(p *previewState) {
		p.Samples = &samples
		p.Panes[pa.Pane] = paneState{User: u}
	})
	loadPane(ctx, pa.Pane, false)
}

func handleFindUsers(ctx app.Context, a app.Action) {
	pa, ok := paneOf(a)
	if !ok {
		return
	}
	lane := "find" + itoa(pa.Pane)
	n, cctx := startRequest(ctx, lane)
	update(ctx, statePreview, func(p *previewState) { p.Panes[pa.Pane].Query = pa.Text })
	if pa.Text == "" {
		update(ctx, statePreview, func(p *previewState) { p.Panes[pa.Pane].Found = nil })
		return
	}
	time.Sleep(debounce)
	if !isLatest(ctx, lane, n) {
		return
	}
	var found []portal.UserSummary
	err := bridge().Call(cctx, "FindUsers", &found, pa.Text, 8)
	updateLatest(ctx, lane, n, statePreview, func(p *previewState) {
		if err != nil {
			p.Panes[pa.Pane].Err = toWire(err)
			return
		}
		if found == nil {
			found = []portal.UserSummary{}
		}
		p.Panes[pa.Pane].Found = found
	})
}

func handleTab(ctx app.Context, a app.Action) {
	pa, ok := paneOf(a)
	if !ok {
		return
	}
	update(ctx, statePreview, func(p *previewState) {
		p.Panes[pa.Pane].Tab = pa.Text
		p.Panes[pa.Pane].Ticket = nil
	})
	loadPane(ctx, pa.Pane, false)
}

func handleSearch(ctx app.Context, a app.Action) {
	pa, ok := paneOf(a)
	if !ok {
		return
	}
	lane := "search" + itoa(pa.Pane)
	n, _ := startRequest(ctx, lane)
	update(ctx, statePreview, func(p *previewState) { p.Panes[pa.Pane].Search = pa.Text })
	time.Sleep(debounce)
	if !isLatest(ctx, lane, n) {
		return
	}
	loadPane(ctx, pa.Pane, false)
}

// handleFilter changes one filter of a pane's list (or clears them) and
// shows its first page, as the portal's filter bar does.
func handleFilter(ctx app.Context, a app.Action) {
	pa, ok := paneOf(a)
	if !ok {
		return
	}
	update(ctx, statePreview, func(p *previewState) {
		ps := &p.Panes[pa.Pane]
		ps.Filter = ps.Filter.changed(pa.Text, pa.Value, pa.Toggle)
		ps.Ticket = nil
	})
	loadPane(ctx, pa.Pane, false)
}

func handleMore(ctx app.Context, a app.Action) {
	pa, ok := paneOf(a)
	if !ok {
		return
	}
	loadPane(ctx, pa.Pane, true)
}

// loadPane loads the portal of pane i's user (the next page with more).
func loadPane(ctx app.Context, i int, more bool) {
	lane := "pane" + itoa(i)
	n, cctx := startRequest(ctx, lane)
	var req wire.PreviewRequest
	var prev *wire.PreviewResult
	p := update(ctx, statePreview, func(p *previewState) {
		ps := &p.Panes[i]
		if more {
			ps.More = true
		} else {
			ps.Status = Loading
		}
		prev = ps.Result
	})
	ps := p.Panes[i]
	if ps.User == nil {
		return
	}
	req = wire.PreviewRequest{User: ps.User.ID, Tab: ps.Tab, Search: ps.Search, Limit: paneListLimit}
	// The filters as the portal's address holds them, read by the
	// portal's own parser: a bad one says what to fix, as the API would.
	f, err := portal.ParseTicketFilter(ps.Filter.values())
	if err != nil {
		updateLatest(ctx, lane, n, statePreview, func(p *previewState) {
			p.Panes[i].More = false
			p.Panes[i].Status, p.Panes[i].Err = Failed, toWire(err)
		})
		return
	}
	req.TicketFilter = f
	if more {
		if prev == nil || prev.Next == "" {
			return
		}
		req.Cursor = prev.Next
	}
	var res wire.PreviewResult
	err = bridge().Call(cctx, "Preview", &res, req)
	updateLatest(ctx, lane, n, statePreview, func(p *previewState) {
		ps := &p.Panes[i]
		ps.More = false
		if err != nil {
			if toWire(err).Code == codeCanceled {
				return
			}
			ps.Status, ps.Err = Failed, toWire(err)
			return
		}
		if more && prev != nil {
			merged := res
			merged.Tickets = append(append([]wire.TicketView{}, prev.Tickets...), res.Tickets...)
			res = merged
		}
		ps.Status, ps.Err, ps.Result, ps.Seq = Loaded, nil, &res, n
		ps.Tab = res.Tab
	})
}

func handleOpenTicket(ctx app.Context, a app.Action) {
	pa, ok := paneOf(a)
	if !ok {
		return
	}
	lane := "ticket" + itoa(pa.Pane)
	n, cctx := startRequest(ctx, lane)
	p := update(ctx, statePreview, func(p *previewState) {
		p.Panes[pa.Pane].TicketStatus = Loading
		p.Panes[pa.Pane].TicketErr = nil
	})
	u := p.Panes[pa.Pane].User
	if u == nil {
		return
	}
	// Say why the user sees it (beside the ticket's page).
	go handleExplain(ctx, app.Action{Value: explainAction{Pane: pa.Pane, Ticket: pa.Text}})
	var t wire.TicketDetail
	err := bridge().Call(cctx, "Ticket", &t, wire.TicketRequest{User: u.ID, TicketID: pa.Text})
	updateLatest(ctx, lane, n, statePreview, func(p *previewState) {
		ps := &p.Panes[pa.Pane]
		if err != nil {
			ps.TicketStatus, ps.TicketErr = Failed, toWire(err)
			return
		}
		ps.TicketStatus, ps.Ticket = Loaded, &t
	})
}

func handleCloseTicket(ctx app.Context, a app.Action) {
	pa, ok := paneOf(a)
	if !ok {
		return
	}
	update(ctx, statePreview, func(p *previewState) {
		p.Panes[pa.Pane].Ticket = nil
		p.Panes[pa.Pane].TicketStatus = NotLoaded
		p.Panes[pa.Pane].TicketErr = nil
	})
}
