package app

import (
	"context"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
	"portalstudio/backend/wire"
)

// The sync bindings: the desktop side of `portalstudio sync`, with the
// server URL remembered for the workspace and the admin token in its
// vault.

// SyncStatus says whether the workspace knows its portal server and an
// admin token, and the version of its live copy.
func (b *Bindings) SyncStatus() (*wire.SyncStatus, error) {
	return remote.StatusOf(b.ctx, b.local, b.vault)
}

// SyncConnect pulls the live settings from the server with the admin token
// and, once that succeeded, remembers both for the workspace.
func (b *Bindings) SyncConnect(server, token string) (*wire.PullResult, error) {
	return remote.Connect(b.ctx, b.local, b.vault, server, token, remote.PullOptions{})
}

// SyncPull pulls the server's live settings and, withData, its dataset
// (Progress reports how far the snapshot has come).
func (b *Bindings) SyncPull(withData bool) (*wire.PullResult, error) {
	c, err := remote.SavedClient(b.ctx, b.local, b.vault)
	if err != nil {
		return nil, err
	}
	opt := remote.PullOptions{Data: withData}
	if withData {
		progress, done, err := b.startJob("Pulling the server's dataset")
		if err != nil {
			return nil, err
		}
		defer done()
		opt.Progress = func(n, total int) { progress(int64(n), int64(total)) }
	}
	return remote.Pull(b.ctx, b.local, c, opt)
}

// SyncPushAnswer is what a push did. A push refused with something for
// the admin to resolve (a merge with conflicts, failing portal tests) is
// an answer, not an error: Result holds the merge and the tests' report,
// Refused says why nothing was pushed.
type SyncPushAnswer struct {
	Result  *wire.PushResult `json:"result"`
	Refused *WireError       `json:"refused,omitempty"`
}

// SyncPush pushes the draft: take ("", "draft" or "live") resolves every
// conflict of a merge, overrideChecks pushes even when portal tests fail.
func (b *Bindings) SyncPush(take string, overrideChecks bool) (*SyncPushAnswer, error) {
	c, err := remote.SavedClient(b.ctx, b.local, b.vault)
	if err != nil {
		return nil, err
	}
	res, err := remote.Push(b.ctx, b.local, c, remote.PushOptions{Take: take, OverrideChecks: overrideChecks,
		Check: func(ctx context.Context, st *portal.Settings) (*wire.CheckReport, error) {
			return b.svc.CheckSettings(ctx, st, "pushed", time.Time{})
		}})
	if err != nil && !toResolve(err, res) {
		return nil, err
	}
	ans := &SyncPushAnswer{Result: res}
	if err != nil {
		ans.Refused = ToWire(err)
	}
	return ans, nil
}

// toResolve reports whether a push was refused for the admin to choose:
// conflicts to take a side on, or failing portal tests to fix or override.
func toResolve(err error, res *wire.PushResult) bool {
	switch {
	case res == nil:
		return false
	case portal.ErrorCode(err) == portal.ECONFLICT:
		return res.Merge != nil && len(res.Merge.Conflicts) > 0 && res.Merge.Merged == nil
	case portal.ErrorCode(err) == portal.EPRECONDITION:
		return res.Checks != nil && res.Checks.Failed > 0 && !res.ChecksOverridden
	}
	return false
}
