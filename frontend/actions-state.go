package frontend

import (
	"context"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// How the action handlers change state without a lock of their own.
//
// go-app runs each handler registered with app.Handle on a goroutine of
// its own (ctx.Async), so two handlers, or a handler and the answer of an
// earlier one, interleave wherever one waits (a backend call, a debounce).
// The UI goroutine, though, runs the functions given to ctx.Dispatch one
// at a time: every read-modify-write of a state goes there (update, onUI),
// and a handler waits for it before going on. Requests of one kind are
// numbered in a lane, itself a state, so that only the latest answer
// lands (ifLatest).

// onUI runs fn on the UI goroutine and waits until it has run. Only the
// handlers' goroutines call it, never the UI goroutine itself (a
// component's event handler, or handleEdit), which would wait for itself.
// Prerendering on the server has no UI loop to wait for: fn runs at once.
func onUI(ctx app.Context, fn func(ctx app.Context)) {
	if app.IsServer {
		fn(ctx)
		return
	}
	done := make(chan struct{})
	ctx.Dispatch(func(ctx app.Context) {
		defer close(done)
		fn(ctx)
	})
	<-done
}

// update changes the state named state on the UI goroutine: fn gets the
// current value (the zero value when there is none yet) and the result is
// set and returned.
func update[S any](ctx app.Context, state string, fn func(s *S)) S {
	var v S
	onUI(ctx, func(ctx app.Context) {
		ctx.GetState(state, &v)
		fn(&v)
		ctx.SetState(state, v)
	})
	return v
}

// requestLane numbers the requests of one kind (a state) and holds the
// cancellation of the one still waiting.
type requestLane struct {
	N      int
	cancel context.CancelFunc
}

func laneState(name string) string { return "lane." + name }

// startRequest numbers a new request on a lane and cancels the one still
// waiting there.
func startRequest(ctx app.Context, name string) (int, context.Context) {
	cctx, cancel := context.WithCancel(ctx)
	l := update(ctx, laneState(name), func(l *requestLane) {
		if l.cancel != nil {
			l.cancel()
		}
		l.N++
		l.cancel = cancel
	})
	return l.N, cctx
}

// isLatest reports whether request n is still the latest of its lane.
func isLatest(ctx app.Context, name string, n int) bool {
	var l requestLane
	ctx.GetState(laneState(name), &l)
	return l.N == n
}

// ifLatest runs fn on the UI goroutine if request n is still the latest of
// its lane then, so that no newer request can start in between.
func ifLatest(ctx app.Context, name string, n int, fn func(ctx app.Context)) {
	onUI(ctx, func(ctx app.Context) {
		if isLatest(ctx, name, n) {
			fn(ctx)
		}
	})
}

// updateLatest is update, done only if request n is still the latest of
// its lane.
func updateLatest[S any](ctx app.Context, lane string, n int, state string, fn func(s *S)) {
	ifLatest(ctx, lane, n, func(ctx app.Context) {
		var v S
		ctx.GetState(state, &v)
		fn(&v)
		ctx.SetState(state, v)
	})
}
