package frontend

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// Actions of the settings page.
const (
	actionLoad    = "studio/load"      // load the workspace and the draft (tag force: again)
	actionEdit    = "settings/edit"    // Value: edit (taken by the settings page: see handleEdit)
	actionSave    = "settings/save"    // Value: saveRequest
	actionSetLive = "settings/live"    // "Save and set live"
	actionCopyURL = "settings/copy"    // Value: the URL
	actionRefresh = "settings/refresh" // recount the audiences and the diff
)

// debounce is how long typing must pause before an edit is saved and the
// audiences recounted.
var debounce = 250 * time.Millisecond

// Audience list sizes.
const (
	accessListLimit     = 8
	restrictedListLimit = 50
)

func init() {
	app.Handle(actionLoad, handleLoad)
	app.Handle(actionSave, handleSave)
	app.Handle(actionSetLive, handleSetLive)
	app.Handle(actionCopyURL, handleCopyURL)
	app.Handle(actionRefresh, func(ctx app.Context, a app.Action) { refresh(ctx) })
}

// edit is one change of the draft, made by a component.
type edit struct {
	apply func(st *portal.Settings)
	// immediate saves at once (toggles, buttons); typing is debounced.
	immediate bool
	// enabling turns the portal on: when the prerequisites are not met it
	// is turned back off and the refusal shown under the toggle.
	enabling bool
}

// wire converts any error into a WireError.
func toWire(err error) *WireError {
	var we *WireError
	if errors.As(err, &we) {
		return we
	}
	return &WireError{Code: codeInternal, Message: err.Error()}
}

func handleLoad(ctx app.Context, a app.Action) {
	force := a.Tags.Get("force") == "true"
	start := false
	update(ctx, stateDraft, func(d *draftState) {
		if d.Status == Loaded && !force || d.Status == Loading {
			return
		}
		*d = draftState{Status: Loading, Seq: d.Seq, Saved: d.Seq}
		start = true
	})
	if !start {
		return
	}

	be := bridge()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		loadOverview(ctx)
	}()
	var st portal.Settings
	err := be.Call(ctx, "Settings", &st, "draft")
	update(ctx, stateDraft, func(d *draftState) {
		if err != nil {
			d.Status, d.Err = Failed, toWire(err)
		} else {
			d.Status, d.Err, d.Settings = Loaded, nil, &st
		}
	})
	wg.Wait()
	if err == nil {
		refresh(ctx)
	}
}

// loadOverview (re)loads the workspace summary.
func loadOverview(ctx app.Context) {
	o := update(ctx, stateOverview, func(o *overviewState) { o.Status = Loading })
	var ov Overview
	if err := bridge().Call(ctx, "Overview", &ov); err != nil {
		ctx.SetState(stateOverview, overviewState{Status: Failed, Err: toWire(err), Data: o.Data})
		return
	}
	ctx.SetState(stateOverview, overviewState{Status: Loaded, Data: &ov})
}

// handleEdit applies an edit to the UI's copy of the draft at once, then
// saves it (after the debounce, unless immediate) without blocking. It is
// the one handler registered by a component (the settings page, with
// ctx.Handle) rather than app.Handle: go-app runs such handlers on the UI
// goroutine, one at a time in the order they were posted, so the edits
// apply in exactly the order the admin makes them (keystrokes included),
// while app.Handle's handlers each run on a goroutine of their own. Only
// the saving runs in the background.
func handleEdit(ctx app.Context, a app.Action) {
	e, ok := a.Value.(edit)
	if !ok || e.apply == nil {
		return
	}
	var d draftState
	ctx.GetState(stateDraft, &d)
	if d.Settings == nil {
		return
	}
	st := d.Settings.Clone()
	e.apply(st)
	d.Settings = st
	d.Seq++
	d.Confirmed = false
	// The note under the portal toggle is about the previous edit.
	d.PortalErr = ""
	ctx.SetState(stateDraft, d)
	ctx.NewActionWithValue(actionSave, saveRequest{Seq: d.Seq, Enabling: e.enabling, Immediate: e.immediate})
}

// saveRequest is the save of one edit, posted by handleEdit.
type saveRequest struct {
	Seq       int
	Enabling  bool
	Immediate bool // else it waits for the debounce
}

// handleSave saves an edit once typing pauses (toggles and buttons at
// once), on a goroutine of its own.
func handleSave(ctx app.Context, a app.Action) {
	r, ok := a.Value.(saveRequest)
	if !ok {
		return
	}
	if !r.Immediate {
		time.Sleep(debounce)
	}
	save(ctx, r.Seq, r.Enabling)
}

// save saves the draft of edit seq, unless a newer edit came since (its
// own save will carry it), then recounts the audiences.
func save(ctx app.Context, seq int, enabling bool) {
	var doc []byte
	update(ctx, stateDraft, func(d *draftState) {
		if d.Seq != seq || d.Settings == nil {
			return
		}
		doc = d.Settings.Canonical()
		d.Saving = true
	})
	if doc == nil {
		return
	}

	var saved portal.Settings
	var res wire.DraftResult
	err := bridge().Call(ctx, "SaveDraft", &res, json.RawMessage(doc))
	switch {
	case err != nil:
	case res.Settings == nil:
		// Not valid yet: the problems, and the draft keeps its content.
		err = &WireError{Code: codeInvalid, Message: res.Message, Problems: res.Problems}
	default:
		saved = *res.Settings
	}

	recount, next := false, 0
	update(ctx, stateDraft, func(d *draftState) {
		if d.Seq != seq {
			// A newer edit is being saved; its answer is the one to show.
			return
		}
		d.Saving = false
		if err == nil {
			d.Settings, d.Saved, d.Problems, d.SaveErr = &saved, seq, nil, nil
			recount = true
			return
		}
		we := toWire(err)
		if we.Code != codeInvalid || len(we.Problems) == 0 && !strings.HasPrefix(we.Message, "portal.enabled") {
			d.SaveErr = we
			return
		}
		problems := we.Problems
		if len(problems) == 0 {
			problems = []portal.Problem{{Path: "", Message: we.Message}}
		}
		if msg := problemMessage(problems, "portal.enabled"); msg != "" && d.Settings.Portal.Enabled {
			// Enabling was refused, or a prerequisite of the enabled portal
			// was turned off: the portal cannot be on, so turn the toggle
			// off (the toggle shows what the draft holds), say why, and
			// save the rest of the document.
			st := d.Settings.Clone()
			st.Portal.Enabled = false
			if !enabling {
				msg = portalTurnedOff(msg)
			}
			d.Settings, d.PortalErr = st, msg
			d.Seq++
			next = d.Seq
			return
		}
		d.Problems, d.SaveErr = problems, nil
	})
	switch {
	case recount:
		refresh(ctx)
	case next != 0:
		save(ctx, next, false)
	}
}

// portalTurnedOff rewords the refusal to enable ("…cannot be enabled yet:
// unmet; unmet") for a portal that was on and was turned off because a
// prerequisite no longer holds.
func portalTurnedOff(refusal string) string {
	_, unmet, found := strings.Cut(refusal, ": ")
	if !found {
		return "the customer portal was turned off: " + refusal
	}
	return "the customer portal was turned off because a prerequisite is no longer met: " + unmet
}

func problemMessage(ps []portal.Problem, path string) string {
	for _, p := range ps {
		if p.Path == path {
			return p.Message
		}
	}
	return ""
}

// refresh recounts both audiences and the diff against the saved draft.
func refresh(ctx app.Context) {
	var wg sync.WaitGroup
	wg.Add(5)
	go func() { defer wg.Done(); loadAudience(ctx, stateAccess, "access", accessListLimit) }()
	go func() { defer wg.Done(); loadAudience(ctx, stateRestricted, "visibility", restrictedListLimit) }()
	go func() { defer wg.Done(); loadDiff(ctx) }()
	go func() { defer wg.Done(); loadImpact(ctx) }()
	go func() { defer wg.Done(); loadChecks(ctx) }()
	wg.Wait()
}

// loadAudience counts one audience. The previous count still running is
// cancelled, and an answer that is not the latest is dropped.
func loadAudience(ctx app.Context, state, of string, limit int) {
	n, cctx := startRequest(ctx, state)
	a := update(ctx, state, func(a *audienceState) { a.Status = Loading })

	var res wire.AudienceResult
	err := bridge().Call(cctx, "Audience", &res, wire.AudienceRequest{Of: of, Limit: limit})
	ifLatest(ctx, state, n, func(ctx app.Context) {
		switch {
		case err == nil:
			ctx.SetState(state, audienceState{Status: Loaded, Seq: n, Result: &res})
		case toWire(err).Code != codeCanceled:
			ctx.SetState(state, audienceState{Status: Failed, Seq: n, Err: toWire(err), Result: a.Result})
		}
	})
}

func loadDiff(ctx app.Context) {
	n, cctx := startRequest(ctx, stateDiff)
	var res wire.DiffResult
	err := bridge().Call(cctx, "Diff", &res)
	ifLatest(ctx, stateDiff, n, func(ctx app.Context) {
		if err != nil {
			ctx.SetState(stateDiff, diffState{Status: Failed, Err: toWire(err)})
			return
		}
		ctx.SetState(stateDiff, diffState{Status: Loaded, Data: &res})
	})
}

// handleSetLive is "Save and set live": every change is already saved to
// the draft; this makes sure the latest is and, when the workspace is
// connected to its portal server, pushes it; otherwise it says that going
// live is a push to the portal server.
func handleSetLive(ctx app.Context, a app.Action) {
	saved := flushDraft(ctx)
	update(ctx, stateDraft, func(d *draftState) { d.Confirmed = saved })
	var s syncState
	ctx.GetState(stateSync, &s)
	if saved && s.connected() {
		pushDraft(ctx, syncPush{})
	}
}

// copyState is the Copy button's feedback.
const stateCopied = "studio.copied"

func handleCopyURL(ctx app.Context, a app.Action) {
	url, _ := a.Value.(string)
	if err := copyText(ctx, url); err != nil {
		ctx.SetState(stateCopied, "Could not copy: "+err.Error()+".")
		return
	}
	ctx.SetState(stateCopied, "Copied")
	time.Sleep(2 * time.Second)
	ctx.SetState(stateCopied, "")
}
