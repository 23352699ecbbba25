package frontend

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
)

// Actions of the settings page.
const (
	actionLoad    = "studio/load"      // load the workspace and the draft (tag force: again)
	actionEdit    = "settings/edit"    // Value: edit
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
	app.Handle(actionEdit, handleEdit)
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

// mu serialises the handlers' read-modify-write of states, and lanes
// numbers the requests of each kind so that only the latest answer lands.
var (
	mu    sync.Mutex
	lanes = map[string]*lane{}
)

type lane struct {
	n      int
	cancel context.CancelFunc
}

// startRequest numbers a new request on a lane and cancels the one still
// waiting there.
func startRequest(ctx context.Context, name string) (int, context.Context) {
	mu.Lock()
	defer mu.Unlock()
	l := lanes[name]
	if l == nil {
		l = &lane{}
		lanes[name] = l
	}
	if l.cancel != nil {
		l.cancel()
	}
	l.n++
	cctx, cancel := context.WithCancel(ctx)
	l.cancel = cancel
	return l.n, cctx
}

// isLatest reports whether request n is still the latest of its lane.
func isLatest(name string, n int) bool {
	mu.Lock()
	defer mu.Unlock()
	return lanes[name] != nil && lanes[name].n == n
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
	mu.Lock()
	var d draftState
	ctx.GetState(stateDraft, &d)
	if d.Status == Loaded && !force || d.Status == Loading {
		mu.Unlock()
		return
	}
	ctx.SetState(stateDraft, draftState{Status: Loading, Seq: d.Seq, Saved: d.Seq})
	mu.Unlock()

	be := bridge()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		loadOverview(ctx)
	}()
	var st portal.Settings
	err := be.Call(ctx, "Settings", &st, "draft")
	mu.Lock()
	ctx.GetState(stateDraft, &d)
	if err != nil {
		d.Status, d.Err = Failed, toWire(err)
	} else {
		d.Status, d.Err, d.Settings = Loaded, nil, &st
	}
	ctx.SetState(stateDraft, d)
	mu.Unlock()
	wg.Wait()
	if err == nil {
		refresh(ctx)
	}
}

// loadOverview (re)loads the workspace summary.
func loadOverview(ctx app.Context) {
	var o overviewState
	ctx.GetState(stateOverview, &o)
	o.Status = Loading
	ctx.SetState(stateOverview, o)
	var ov Overview
	if err := bridge().Call(ctx, "Overview", &ov); err != nil {
		ctx.SetState(stateOverview, overviewState{Status: Failed, Err: toWire(err), Data: o.Data})
		return
	}
	ctx.SetState(stateOverview, overviewState{Status: Loaded, Data: &ov})
}

func handleEdit(ctx app.Context, a app.Action) {
	if e, ok := a.Value.(edit); ok {
		applyEdit(ctx, e)
	}
}

// applyEdit applies an edit to the UI's copy of the draft at once, then
// saves it (after the debounce, unless immediate) without blocking. The
// components call it from their event handlers, on the UI goroutine, so
// the edits apply in exactly the order the admin makes them (keystrokes
// included); only the saving runs in the background.
func applyEdit(ctx app.Context, e edit) {
	if e.apply == nil {
		return
	}
	mu.Lock()
	var d draftState
	ctx.GetState(stateDraft, &d)
	if d.Settings == nil {
		mu.Unlock()
		return
	}
	st := d.Settings.Clone()
	e.apply(st)
	d.Settings = st
	d.Seq++
	d.Confirmed = false
	if e.enabling {
		d.PortalErr = ""
	}
	seq := d.Seq
	ctx.SetState(stateDraft, d)
	mu.Unlock()
	ctx.Async(func() {
		if !e.immediate {
			time.Sleep(debounce)
		}
		save(ctx, seq, e.enabling)
	})
}

// save saves the draft of edit seq, unless a newer edit came since (its
// own save will carry it), then recounts the audiences.
func save(ctx app.Context, seq int, enabling bool) {
	mu.Lock()
	var d draftState
	ctx.GetState(stateDraft, &d)
	if d.Seq != seq || d.Settings == nil {
		mu.Unlock()
		return
	}
	doc := d.Settings.Canonical()
	d.Saving = true
	ctx.SetState(stateDraft, d)
	mu.Unlock()

	var saved portal.Settings
	err := bridge().Call(ctx, "ApplySettings", &saved, json.RawMessage(doc))

	mu.Lock()
	ctx.GetState(stateDraft, &d)
	if d.Seq != seq {
		// A newer edit is being saved; its answer is the one to show.
		mu.Unlock()
		return
	}
	d.Saving = false
	if err == nil {
		d.Settings, d.Saved, d.Problems, d.SaveErr = &saved, seq, nil, nil
		ctx.SetState(stateDraft, d)
		mu.Unlock()
		refresh(ctx)
		return
	}
	we := toWire(err)
	if we.Code != codeInvalid || len(we.Problems) == 0 && !strings.HasPrefix(we.Message, "portal.enabled") {
		d.SaveErr = we
		ctx.SetState(stateDraft, d)
		mu.Unlock()
		return
	}
	problems := we.Problems
	if len(problems) == 0 {
		problems = []portal.Problem{{Path: "", Message: we.Message}}
	}
	if msg := problemMessage(problems, "portal.enabled"); enabling && msg != "" {
		// Enabling was refused: turn the toggle back off, say why, and
		// save the rest of the document.
		st := d.Settings.Clone()
		st.Portal.Enabled = false
		d.Settings, d.PortalErr = st, msg
		d.Seq++
		next := d.Seq
		ctx.SetState(stateDraft, d)
		mu.Unlock()
		save(ctx, next, false)
		return
	}
	d.Problems, d.SaveErr = problems, nil
	ctx.SetState(stateDraft, d)
	mu.Unlock()
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
	var a audienceState
	ctx.GetState(state, &a)
	a.Status = Loading
	ctx.SetState(state, a)

	var res AudienceResult
	err := bridge().Call(cctx, "Audience", &res, AudienceRequest{Of: of, Limit: limit})
	if !isLatest(state, n) {
		return
	}
	if err != nil {
		if toWire(err).Code == codeCanceled {
			return
		}
		ctx.SetState(state, audienceState{Status: Failed, Seq: n, Err: toWire(err), Result: a.Result})
		return
	}
	ctx.SetState(state, audienceState{Status: Loaded, Seq: n, Result: &res})
}

func loadDiff(ctx app.Context) {
	n, cctx := startRequest(ctx, stateDiff)
	var res DiffResult
	err := bridge().Call(cctx, "Diff", &res)
	if !isLatest(stateDiff, n) {
		return
	}
	if err != nil {
		ctx.SetState(stateDiff, diffState{Status: Failed, Err: toWire(err)})
		return
	}
	ctx.SetState(stateDiff, diffState{Status: Loaded, Data: &res})
}

// handleSetLive is "Save and set live": every change is already saved to
// the draft; this makes sure the latest is and, when the workspace is
// connected to its portal server, pushes it; otherwise it says that going
// live is a push to the portal server.
func handleSetLive(ctx app.Context, a app.Action) {
	saved := flushDraft(ctx)
	mu.Lock()
	var d draftState
	ctx.GetState(stateDraft, &d)
	d.Confirmed = saved
	ctx.SetState(stateDraft, d)
	var s syncState
	ctx.GetState(stateSync, &s)
	mu.Unlock()
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
