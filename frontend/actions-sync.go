package frontend

import (
	"context"
	"strings"
	"time"

	"portalstudio/backend/wire"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Sync with the portal server: the desktop side of `portalstudio sync`.
const (
	stateSync = "studio.sync"

	actionSyncStatus  = "sync/status"  // load whether the workspace is connected
	actionSyncConnect = "sync/connect" // Value: syncConnect
	actionSyncPull    = "sync/pull"    // Value: bool, with the dataset
	actionSyncPush    = "sync/push"    // Value: syncPush
)

func init() {
	app.Handle(actionSyncStatus, func(ctx app.Context, a app.Action) { loadSyncStatus(ctx) })
	app.Handle(actionSyncConnect, handleSyncConnect)
	app.Handle(actionSyncPull, handleSyncPull)
	app.Handle(actionSyncPush, func(ctx app.Context, a app.Action) {
		if p, ok := a.Value.(syncPush); ok {
			flushDraft(ctx)
			pushDraft(ctx, p)
		}
	})
}

// syncState is the "Sync with the portal server" card.
type syncState struct {
	Status Status
	Info   *wire.SyncStatus
	// Busy says what runs ("" when idle): the card's buttons wait for it.
	Busy     string
	Progress JobProgress // the dataset's pull
	Err      *WireError
	Done     string // a sentence once a sync succeeded
	// Push is the last push refused with something to resolve (a merge
	// with conflicts, failing portal tests); Take is the side it chose.
	Push *SyncPushAnswer
	Take string
}

// connected reports whether pull and push need nothing more.
func (s syncState) connected() bool { return s.Info != nil && s.Info.Connected }

// syncConnect is the server URL and admin token the admin typed.
type syncConnect struct{ Server, Token string }

// syncPush is a push: how conflicts are resolved and whether failing
// portal tests are overridden.
type syncPush struct {
	Take     string
	Override bool
}

// beginSync marks a sync as running, unless one already is.
func beginSync(ctx app.Context, what string) bool {
	ok := false
	update(ctx, stateSync, func(s *syncState) {
		if s.Busy != "" {
			return
		}
		ok = true
		s.Busy, s.Err, s.Done, s.Progress = what, nil, "", JobProgress{}
	})
	return ok
}

func loadSyncStatus(ctx app.Context) {
	var st wire.SyncStatus
	err := bridge().Call(ctx, "SyncStatus", &st)
	update(ctx, stateSync, func(s *syncState) {
		if err != nil {
			s.Status, s.Err = Failed, syncError(err)
			return
		}
		s.Status, s.Info = Loaded, &st
	})
}

func handleSyncConnect(ctx app.Context, a app.Action) {
	c, ok := a.Value.(syncConnect)
	if !ok || !beginSync(ctx, "connect") {
		return
	}
	var res wire.PullResult
	err := bridge().Call(ctx, "SyncConnect", &res, c.Server, c.Token)
	finishPull(ctx, &res, err)
}

func handleSyncPull(ctx app.Context, a app.Action) {
	withData, _ := a.Value.(bool)
	if !beginSync(ctx, "pull") {
		return
	}
	var res wire.PullResult
	var err error
	if withData {
		stop, cancel := context.WithCancel(ctx)
		go pollSyncProgress(ctx, stop)
		err = bridge().Call(ctx, "SyncPull", &res, true)
		cancel()
	} else {
		err = bridge().Call(ctx, "SyncPull", &res, false)
	}
	finishPull(ctx, &res, err)
}

// pollSyncProgress shows how far the dataset's pull has come.
func pollSyncProgress(ctx app.Context, stop context.Context) {
	for {
		select {
		case <-stop.Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
		var p JobProgress
		if err := bridge().Call(stop, "Progress", &p); err != nil {
			continue
		}
		update(ctx, stateSync, func(s *syncState) {
			if s.Busy != "" {
				s.Progress = p
			}
		})
	}
}

func finishPull(ctx app.Context, res *wire.PullResult, err error) {
	update(ctx, stateSync, func(s *syncState) {
		s.Busy = ""
		if err != nil {
			s.Err = syncError(err)
			return
		}
		s.Push = nil
		s.Done = pullSentence(res)
	})
	if err == nil {
		loadSyncStatus(ctx)
		afterDataChange(ctx)
	}
}

// pullSentence says what a pull did.
func pullSentence(r *wire.PullResult) string {
	msg := "Pulled the live settings, version " + itoa(r.LiveVersion) + ", from " + r.Server + "."
	if r.DraftFollowed {
		msg += " The draft had no local edits and now equals them."
	} else {
		msg += " The draft has local edits and was kept; pushing merges them."
	}
	if r.Data != nil {
		msg += " Replaced the dataset with the server's: " + plural(r.Data.Contacts, "contact", "contacts") + ", " +
			plural(r.Data.Companies, "company", "companies") + ", " + plural(r.Data.Tickets, "ticket", "tickets") + "."
	}
	return msg
}

// flushDraft saves the latest edit now if it is still waiting for the
// debounce, and reports whether the draft holds every edit.
func flushDraft(ctx app.Context) bool {
	var d draftState
	ctx.GetState(stateDraft, &d)
	if d.Seq != d.Saved {
		save(ctx, d.Seq, false)
	}
	ctx.GetState(stateDraft, &d)
	return d.Saved == d.Seq && len(d.Problems) == 0 && d.SaveErr == nil
}

// pushDraft pushes the saved draft to the portal server.
func pushDraft(ctx app.Context, p syncPush) {
	if !beginSync(ctx, "push") {
		return
	}
	var ans SyncPushAnswer
	err := bridge().Call(ctx, "SyncPush", &ans, p.Take, p.Override)
	update(ctx, stateSync, func(s *syncState) {
		s.Busy = ""
		switch {
		case err != nil:
			// The conflicts shown stay: the admin may take the other side.
			s.Err = syncError(err)
		case ans.Refused != nil:
			s.Push, s.Take = &ans, p.Take
		default:
			s.Push, s.Take = nil, ""
			s.Done = pushSentence(ans.Result)
		}
	})
	if err == nil && ans.Refused == nil && ans.Result != nil && !ans.Result.NothingToPush {
		loadSyncStatus(ctx)
		afterDataChange(ctx)
	}
}

// pushSentence says what a push that went through did.
func pushSentence(r *wire.PushResult) string {
	if r == nil {
		return ""
	}
	var msg string
	switch {
	case r.NothingToPush:
		return "The draft has no edits against the live settings (version " + itoa(r.BaseVersion) + "): nothing to push."
	case r.Merge != nil && r.Pushed:
		msg = "Merged the draft with the server's version " + itoa(r.LiveVersion) + " and set it live: the live settings are now version " + itoa(r.Version) + "."
	case r.Merge != nil:
		msg = "Everything the draft changed is live already (version " + itoa(r.Version) + ")."
	default:
		msg = "Set live: the live settings are now version " + itoa(r.Version) + "."
	}
	if r.ChecksOverridden && r.Checks != nil {
		msg += " Pushed anyway: " + itoa(r.Checks.Failed) + " of " + itoa(len(r.Checks.Results)) + " portal tests fail."
	}
	return msg
}

// syncError is a sync's error as the desktop says it: the sync client's
// sentences name the command line's flags and commands where a server
// cannot be reached, which the admin here has no use for.
func syncError(err error) *WireError {
	we := toWire(err)
	if i := strings.Index(we.Message, "; check --server"); i >= 0 {
		c := *we
		c.Message = we.Message[:i] + "; check the server's address, and that the portal server is running there"
		return &c
	}
	return we
}
