package app

import (
	"context"
	"encoding/json"
	"sync"

	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
	"portalstudio/backend/studio"
	"portalstudio/backend/wire"
)

// Bindings are the methods the UI calls, through Wails IPC or loopback
// HTTP. Every exported method is a binding: it converts, calls one studio
// method and returns (T, error). Wails passes no context to bound methods,
// so the calls run under the context the Bindings were made with.
type Bindings struct {
	svc   *studio.Service
	local remote.Local
	vault remote.Vault // where the sync's admin token is kept
	ctx   context.Context

	mu    sync.Mutex
	lanes map[string]context.CancelFunc // the call in flight per lane
	job   JobProgress
}

// NewBindings returns the bindings over svc and, for sync, the same
// workspace as the sync's local side, its admin token in the workspace's
// default vault (remote.VaultOf); ctx bounds every call.
func NewBindings(ctx context.Context, svc *studio.Service, local remote.Local) *Bindings {
	return &Bindings{svc: svc, local: local, vault: remote.VaultOf(local), ctx: ctx, lanes: map[string]context.CancelFunc{}}
}

// latest returns the context of a new call on a lane, cancelling the call
// still in flight on it: the next edit cancels the count of the previous
// one, so a slow count never delays a newer one.
func (b *Bindings) latest(lane string) (context.Context, func()) {
	ctx, cancel := context.WithCancel(b.ctx)
	b.mu.Lock()
	if prev := b.lanes[lane]; prev != nil {
		prev()
	}
	b.lanes[lane] = cancel
	b.mu.Unlock()
	return ctx, func() {
		b.mu.Lock()
		if b.lanes[lane] != nil && ctx.Err() == nil {
			delete(b.lanes, lane)
		}
		b.mu.Unlock()
		cancel()
	}
}

// Overview returns the workspace's summary: file, sizes, the attributes
// rules may name and the operators per type.
func (b *Bindings) Overview() (*studio.Overview, error) {
	return b.svc.Overview(b.ctx)
}

// Settings returns the draft (which "" or "draft") or live settings.
func (b *Bindings) Settings(which string) (*portal.Settings, error) {
	return b.svc.Settings(b.ctx, which)
}

// ApplySettings validates a whole settings document and makes it the draft;
// nothing changes when any part is invalid (the error lists each problem
// with its JSON path).
func (b *Bindings) ApplySettings(doc json.RawMessage) (*portal.Settings, error) {
	return b.svc.ApplySettings(b.ctx, doc)
}

// SaveDraft is ApplySettings for the editor: a document that is not valid
// yet is answered with its problems (nothing saved) rather than refused,
// so the intermediate states of an edit are not errors.
func (b *Bindings) SaveDraft(doc json.RawMessage) (*wire.DraftResult, error) {
	st, err := b.svc.ApplySettings(b.ctx, doc)
	if portal.ErrorCode(err) == portal.EINVALID {
		we := ToWire(err)
		return &wire.DraftResult{Message: we.Message, Problems: we.Problems}, nil
	}
	if err != nil {
		return nil, err
	}
	return &wire.DraftResult{Settings: st}, nil
}

// Audience counts and lists the users the draft's access rule matches, or
// the users it restricts (Of "visibility"). A newer call for the same
// audience cancels this one.
func (b *Bindings) Audience(req wire.AudienceRequest) (*wire.AudienceResult, error) {
	ctx, done := b.latest("audience:" + req.Of)
	defer done()
	return b.svc.Audience(ctx, req)
}

// Diff compares the draft with the live settings.
func (b *Bindings) Diff() (*wire.DiffResult, error) {
	return b.svc.Diff(b.ctx)
}

// FindUsers finds users by name or email.
func (b *Bindings) FindUsers(query string, limit int) ([]portal.UserSummary, error) {
	return b.svc.FindUsers(b.ctx, query, limit)
}

// AttributeValues suggests values of a text attribute as the admin types
// one: those beginning with prefix, with how many hold each. A newer call
// cancels this one.
func (b *Bindings) AttributeValues(attr, prefix string, limit int) ([]portal.ValueCount, error) {
	ctx, done := b.latest("values")
	defer done()
	return b.svc.AttributeValues(ctx, attr, prefix, limit)
}

// SampleUsers picks a restricted, an unrestricted and a user without
// access under the draft (or live) settings.
func (b *Bindings) SampleUsers(which string) (*wire.Samples, error) {
	return b.svc.SampleUsers(b.ctx, which)
}

// Preview returns the portal as one user sees it, with why.
func (b *Bindings) Preview(req wire.PreviewRequest) (*wire.PreviewResult, error) {
	return b.svc.Preview(b.ctx, req)
}

// Ticket returns a ticket's page as one user sees it.
func (b *Bindings) Ticket(req wire.TicketRequest) (*wire.TicketDetail, error) {
	return b.svc.Ticket(b.ctx, req)
}

// ImportData imports one file of Intercom API JSON or JSON Lines, given
// as its name and content. Progress reports how far it has come.
func (b *Bindings) ImportData(name, content string) (*portal.ImportReport, error) {
	progress, done, err := b.startJob("Importing " + name)
	if err != nil {
		return nil, err
	}
	defer done()
	return b.svc.ImportData(b.ctx, name, []byte(content), progress)
}

// GenerateDemo replaces the dataset with a demo dataset.
func (b *Bindings) GenerateDemo(req studio.DemoRequest) (*portal.ImportReport, error) {
	progress, done, err := b.startJob("Generating demo data")
	if err != nil {
		return nil, err
	}
	defer done()
	return b.svc.GenerateDemo(b.ctx, req, progress)
}

// Progress reports the data job in progress, if any.
func (b *Bindings) Progress() (JobProgress, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.job, nil
}

// JobProgress is how far a long job (import, demo data) has come.
type JobProgress struct {
	Running bool   `json:"running"`
	What    string `json:"what"`
	Done    int64  `json:"done"`
	Total   int64  `json:"total"` // 0 when unknown
}

// startJob marks a data job as running; only one runs at a time.
func (b *Bindings) startJob(what string) (studio.Progress, func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.job.Running {
		return nil, nil, portal.Errorf(portal.ECONFLICT, "%s is still running; wait for it to finish.", b.job.What)
	}
	b.job = JobProgress{Running: true, What: what}
	progress := func(done, total int64) {
		b.mu.Lock()
		b.job.Done, b.job.Total = done, total
		b.mu.Unlock()
	}
	return progress, func() {
		b.mu.Lock()
		b.job.Running = false
		b.mu.Unlock()
	}, nil
}

// Impact compares every user's state under the live settings and the
// draft: who gains or loses access, who becomes restricted or not.
func (b *Bindings) Impact(req wire.ImpactRequest) (*wire.ImpactResult, error) {
	ctx, done := b.latest("impact")
	defer done()
	return b.svc.Impact(ctx, req)
}

// Explain says why a user does or does not see a ticket.
func (b *Bindings) Explain(req wire.ExplainRequest) (*wire.ExplainResult, error) {
	return b.svc.Explain(b.ctx, req)
}

// Compare lists the tickets one user sees and another does not.
func (b *Bindings) Compare(req wire.CompareRequest) (*wire.CompareResult, error) {
	ctx, done := b.latest("compare")
	defer done()
	return b.svc.Compare(ctx, req)
}

// Checks lists the workspace's portal tests.
func (b *Bindings) Checks() (*wire.CheckList, error) {
	return b.svc.Checks(b.ctx)
}

// AddCheck adds a portal test written as a sentence.
func (b *Bindings) AddCheck(text string) (*wire.CheckList, error) {
	return b.svc.AddChecks(b.ctx, []string{text})
}

// RemoveCheck removes a portal test by id.
func (b *Bindings) RemoveCheck(id int) (*wire.CheckList, error) {
	return b.svc.RemoveChecks(b.ctx, []int{id})
}

// RunChecks runs the portal tests against the draft (or live) settings.
func (b *Bindings) RunChecks(which string) (*wire.CheckReport, error) {
	ctx, done := b.latest("checks")
	defer done()
	return b.svc.RunChecks(ctx, which)
}
