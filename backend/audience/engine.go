package audience

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"portalstudio/backend/portal"
)

// Engine answers audiences for one store: it keeps the store's columns
// at the store's current generation, loaded from a Source, and computes
// every set on them (the studio's Audiences). It never answers from
// columns of another generation than the store's: each answer reads the
// generation first (one small read) and, when the data moved, catches up
// before answering — from the changes alone when the Source can tell
// them (milliseconds after a small import), else from the file it keeps
// beside the store when that is current, else by reading everything
// (seconds per million users, with a notice), after which it writes the
// file for the next process.
//
// A long-running process (Options.Keep: the desktop app, the server)
// loads at once in the background and catches up in the background after
// every write its Source notifies; an audience asked meanwhile waits for
// the load in progress. Both map the file rather than read it: a
// one-shot process (a command) on its first audience, checking each part
// at its first use; a long-running one checks it whole at load, and
// unmaps a file once no view, question or load uses it.
//
// An Engine is safe for concurrent use.
type Engine struct {
	src Source
	opt Options

	ctx    context.Context // the loads': canceled by Close
	cancel context.CancelFunc

	mu     sync.Mutex
	cur    *view
	flight *flight // the load in progress, if any
	again  bool    // a write was notified during the flight
	noFile bool    // the next load must not read the file: it was damaged
	closed bool
	err    error // the last load's failure
	kept   int64 // the bytes of cur, counted for the collector (gc.go)
}

// Options say where an Engine keeps its data and how it loads.
type Options struct {
	// Path is the file the engine keeps its data in, derived data beside
	// the store (the SQLite adapter's <workspace>.audience); the changes
	// since go to Path+ChangesSuffix. "": the data lives in memory only
	// (for instance a PostgreSQL replica without a data folder).
	Path string
	// Keep: a long-running process, which loads at once in the
	// background, catches up after every write, and maps the file,
	// checked whole. Otherwise the engine loads on first use and maps the
	// file, each part checked at its first use.
	Keep bool
	// Notice tells a person of slow one-time work (reading every row)
	// and of a file that cannot be used; nil: nobody is told.
	Notice func(string)
}

// view is the engine's data at one generation: the columns of every user
// (base, at baseGen), and, when the store changed since, the columns of
// the users it changed (delta), which replace theirs in base.
type view struct {
	gen      string
	base     *Columns
	baseGen  string
	delta    *Columns        // nil: base is at gen
	patched  *roaring.Bitmap // delta's users
	loadTime time.Duration
	from     string // "file", "store", "changes"
	fileErr  string
	// refs counts the view's holders: the engine while the view is its
	// current one, each question and load reading it. The last release
	// lets the mapped file go (mapping), if the columns use one.
	refs atomic.Int64
}

// held returns v held once (its maker's hold), holding the mapped files
// its columns use.
func held(v *view) *view {
	v.refs.Store(1)
	v.base.file.hold()
	if v.delta != nil {
		v.delta.file.hold()
	}
	return v
}

// retain holds v once more; the caller must already know v held (the
// engine's current view, under e.mu, or its own hold).
func (v *view) retain() { v.refs.Add(1) }

// release lets a hold of v go; the last one lets its mapped files go.
func (v *view) release() {
	switch n := v.refs.Add(-1); {
	case n == 0:
		v.base.file.drop()
		if v.delta != nil {
			v.delta.file.drop()
		}
	case n < 0:
		panic("audience: a view was released more often than held")
	}
}

// flight is one load: its result, once done is closed.
type flight struct {
	done chan struct{}
	v    *view
	err  error
}

// NewEngine returns an engine over src. Call Close when done. With
// opt.Keep it starts loading at once.
func NewEngine(src Source, opt Options) *Engine {
	ctx, cancel := context.WithCancel(context.Background())
	e := &Engine{src: src, opt: opt, ctx: ctx, cancel: cancel}
	if opt.Keep {
		if n, ok := src.(ChangeNotifier); ok {
			n.NotifyChanges(e.changed)
		}
		e.mu.Lock()
		e.startLocked()
		e.mu.Unlock()
	}
	return e
}

// Close stops a load in progress and drops the data (a question still
// reading it keeps it until it is answered).
func (e *Engine) Close() {
	e.mu.Lock()
	cur := e.cur
	e.closed, e.cur = true, nil
	kept(e.kept, 0)
	e.kept = 0
	f := e.flight
	e.mu.Unlock()
	if cur != nil {
		cur.release()
	}
	e.cancel()
	if f != nil {
		<-f.done
	}
}

// changed is called by the Source after a write in this process.
func (e *Engine) changed() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	if e.flight != nil {
		e.again = true
		return
	}
	e.startLocked()
}

// errClosed says the engine was closed.
var errClosed = errors.New("the audience engine is closed")

// startLocked joins the load in progress or starts one.
func (e *Engine) startLocked() *flight {
	if e.flight != nil {
		return e.flight
	}
	f := &flight{done: make(chan struct{})}
	e.flight = f
	prev, noFile := e.cur, e.noFile
	e.noFile = false
	if prev != nil {
		prev.retain() // the load may patch prev's columns
	}
	go func() {
		v, err := e.load(e.ctx, prev, noFile)
		e.mu.Lock()
		e.flight = nil
		var old *view
		if err == nil && !e.closed {
			old, e.cur, e.err = e.cur, v, nil // v's maker's hold is now the engine's
			if e.opt.Keep {
				b := v.heapBytes()
				kept(e.kept, b)
				e.kept = b
			}
		} else if err != nil {
			e.err = err
		} else {
			old = v // loaded for an engine closed meanwhile
		}
		if e.again && !e.closed {
			e.again = false
			e.startLocked()
		}
		e.mu.Unlock()
		for _, h := range []*view{old, prev} {
			if h != nil {
				h.release()
			}
		}
		f.v, f.err = v, err
		close(f.done)
	}()
	return f
}

// Wait waits for the load in progress, if any, and returns its error.
func (e *Engine) Wait(ctx context.Context) error {
	e.mu.Lock()
	f := e.flight
	e.mu.Unlock()
	if f == nil {
		return nil
	}
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Load brings the engine's data to the store's current generation now,
// and returns when it is there (a long-running process may call it
// after NewEngine to wait for the first load).
func (e *Engine) Load(ctx context.Context) error {
	v, err := e.current(ctx)
	if err == nil {
		v.release()
	}
	return err
}

// current returns the data at the store's current generation, loading
// it (or joining the load in progress) when the data moved. Data loaded
// by a load that started after the generation was read is as new as the
// question (a write may have come since: the answer is as of a moment
// after it was asked); a load joined in progress may be older, so the
// generation is read again. The view comes held: the caller releases
// it.
func (e *Engine) current(ctx context.Context) (*view, error) {
	for try := 0; try < 8; try++ {
		gen, err := e.src.Generation(ctx)
		if err != nil {
			return nil, fmt.Errorf("read the data's generation: %w", err)
		}
		e.mu.Lock()
		if e.closed {
			e.mu.Unlock()
			return nil, errClosed
		}
		if v := e.cur; v != nil && v.gen == gen {
			v.retain()
			e.mu.Unlock()
			return v, nil
		}
		joined := e.flight != nil
		f := e.startLocked()
		e.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if f.err != nil {
			return nil, f.err
		}
		// The flight's view, if the engine still holds it (a newer one
		// may have replaced it, or the engine was closed: ask again).
		e.mu.Lock()
		if v := e.cur; v != nil && v == f.v && (v.gen == gen || !joined) {
			v.retain()
			e.mu.Unlock()
			return v, nil
		}
		e.mu.Unlock()
	}
	return nil, errors.New("the data kept changing while the audience data was read; try again")
}

// answer asks on the data at the store's current generation. A part of
// the engine's file found damaged at its first use (ErrDamaged: a
// one-shot process checks each part when a rule first reads it) never
// answers: the engine drops the data read from the file, says so, builds
// it again from the store (writing the file anew) and asks again.
func (e *Engine) answer(ctx context.Context, ask func(*view) error) error {
	v, err := e.current(ctx)
	if err != nil {
		return err
	}
	err = ask(v)
	if !errors.Is(err, ErrDamaged) {
		v.release()
		return err
	}
	e.notice(fmt.Sprintf("the audience data %s cannot be used (%v): it is built again", e.opt.Path, err))
	e.mu.Lock()
	if e.cur == v {
		e.cur, e.noFile = nil, true
		v.release() // the engine's hold
	}
	e.mu.Unlock()
	v.release()
	if v, err = e.current(ctx); err != nil {
		return err
	}
	defer v.release()
	return ask(v)
}

// maxPatched is the most users a view's changes may hold, as a share of
// all (1/maxPatchedDiv) but at least maxPatchedMin: beyond, the engine
// reads everything again (one set of columns is faster to scan than two).
var (
	maxPatchedDiv = 8
	maxPatchedMin = 4096
)

// load reads the data at the store's current generation: the changes
// since prev (or since the file's) when the store can tell them, the
// file when it is current, or everything.
func (e *Engine) load(ctx context.Context, prev *view, noFile bool) (*view, error) {
	start := time.Now()
	v, err := e.loadFrom(ctx, prev, noFile)
	if err != nil {
		return nil, fmt.Errorf("load the audience data: %w", err)
	}
	if e.opt.Keep {
		v.base.indexCompanies() // once per base (compindex.go)
	}
	v.loadTime = time.Since(start)
	return v, nil
}

func (e *Engine) loadFrom(ctx context.Context, prev *view, noFile bool) (*view, error) {
	if prev != nil {
		if v, err := e.patch(ctx, prev.base, prev.baseGen); err == nil {
			return v, nil
		} else if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	if e.opt.Path != "" && !noFile {
		if v, ok := e.fromFile(ctx); ok {
			return v, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	e.notice(e.buildNotice())
	c, gen, err := e.src.ReadColumns(ctx)
	if err != nil {
		return nil, err
	}
	v := &view{gen: gen, base: c, baseGen: gen, from: "store"}
	if e.opt.Path != "" {
		if err := writeData(e.opt.Path, c, gen); err != nil {
			v.fileErr = err.Error()
		} else if e.opt.Keep {
			// The file just written, mapped, rather than the columns read:
			// a long-running engine keeps its columns in the file's pages.
			if m, _, err := readData(e.opt.Path, readKept, gen); err == nil {
				defer m.file.drop() // the view holds it
				v.base = m
			}
		}
		removeFile(changesPath(e.opt.Path))
	}
	return held(v), nil
}

func (e *Engine) buildNotice() string {
	if e.opt.Path == "" {
		return "building the audience data from the workspace (a few seconds per million users)…"
	}
	return fmt.Sprintf("building the audience data %s from the workspace, once after a change (a few seconds per million users)…", e.opt.Path)
}

// patch returns base with the changes the store made since baseGen, when
// the store can tell them and they are few.
func (e *Engine) patch(ctx context.Context, base *Columns, baseGen string) (*view, error) {
	delta, gen, err := e.src.ReadChanges(ctx, baseGen)
	if err != nil {
		return nil, err
	}
	if gen == baseGen || delta.Users() == 0 {
		return held(&view{gen: gen, base: base, baseGen: baseGen, from: "changes"}), nil
	}
	if delta.Users() > max(base.Users()/maxPatchedDiv, maxPatchedMin) {
		return nil, fmt.Errorf("%w: %d users changed", ErrChangesUnknown, delta.Users())
	}
	v := &view{gen: gen, base: base, baseGen: baseGen, delta: delta, patched: delta.allSet(), from: "changes"}
	if e.opt.Path != "" {
		if err := writeData(changesPath(e.opt.Path), delta, changesKey(baseGen, gen)); err != nil {
			v.fileErr = err.Error()
		}
	}
	return held(v), nil
}

// fromFile reads the file: current, or current with its changes file,
// or patched from it.
func (e *Engine) fromFile(ctx context.Context) (*view, bool) {
	// A one-shot process maps the file and checks each part at its first
	// use; a long-running one maps it and checks it whole, and keeps the
	// mapping while a view uses it.
	mode, changes := readLazy, readMapped
	if e.opt.Keep {
		mode, changes = readKept, readWhole
	}
	base, baseGen, err := readData(e.opt.Path, mode, "")
	if err != nil {
		if !errors.Is(err, errNoFile) {
			e.notice(fmt.Sprintf("the audience data %s cannot be used (%v): it is built again", e.opt.Path, err))
		}
		return nil, false
	}
	defer base.file.drop() // readData's hold: a view made of base holds its own
	gen, err := e.src.Generation(ctx)
	if err != nil {
		return nil, false
	}
	if gen == baseGen {
		return held(&view{gen: gen, base: base, baseGen: baseGen, from: "file"}), true
	}
	if delta, _, err := readData(changesPath(e.opt.Path), changes, changesKey(baseGen, gen)); err == nil {
		return held(&view{gen: gen, base: base, baseGen: baseGen, delta: delta, patched: delta.allSet(), from: "file"}), true
	}
	v, err := e.patch(ctx, base, baseGen)
	return v, err == nil
}

func (e *Engine) notice(msg string) {
	if e.opt.Notice != nil {
		e.opt.Notice(msg)
	}
}

// Stats describe an engine's data.
type Stats struct {
	// Loaded is true when data is in memory (an audience uses it only
	// while it holds the store's generation).
	Loaded bool `json:"loaded"`
	// Generation is the generation the data holds.
	Generation string `json:"generation,omitempty"`
	Users      int    `json:"users"`
	Companies  int    `json:"companies"`
	Attributes int    `json:"attributes"`
	// Changed counts the users read from the changes since the file
	// (or the last full read).
	Changed int   `json:"changed"`
	Bytes   int64 `json:"bytes"`
	// Mapped: the columns are the engine's file's pages, mapped (a
	// long-running engine that read its file), not copies in memory.
	Mapped   bool          `json:"mapped,omitempty"`
	LoadTime time.Duration `json:"load_time"`
	// From says where the last load read: "file", "store" (every row)
	// or "changes" (the rows changed since).
	From string `json:"from,omitempty"`
	// Err is the last load's failure, if any; FileErr why the data could
	// not be written to the file, if so.
	Err     string `json:"error,omitempty"`
	FileErr string `json:"file_error,omitempty"`
}

// heapBytes is the size of the view's columns in the Go heap: those not
// in a mapped file (gc.go).
func (v *view) heapBytes() int64 {
	var b int64
	if v.base.file == nil {
		b = v.base.Bytes()
	}
	if v.delta != nil && v.delta.file == nil {
		b += v.delta.Bytes()
	}
	return b
}

// bytes is the size of the view's columns.
func (v *view) bytes() int64 {
	b := v.base.Bytes()
	if v.delta != nil {
		b += v.delta.Bytes()
	}
	return b
}

// Stats reports the engine's data.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	var st Stats
	if e.err != nil {
		st.Err = e.err.Error()
	}
	if v := e.cur; v != nil {
		st.Loaded, st.Generation = true, v.gen
		st.Users, st.Companies, st.Attributes = v.users(), v.base.Companies(), v.base.Attributes()
		st.Bytes, st.LoadTime, st.From, st.FileErr = v.bytes(), v.loadTime, v.from, v.fileErr
		st.Mapped = v.base.file != nil
		if v.delta != nil {
			st.Changed = v.delta.Users()
		}
	}
	return st
}

// users counts the users of the view.
func (v *view) users() int {
	if v.delta == nil {
		return v.base.Users()
	}
	n := v.base.Users() + v.delta.Users()
	it := v.patched.Iterator()
	for it.HasNext() {
		if v.base.all.has(it.Next()) {
			n--
		}
	}
	return n
}

// audience is Columns.Audience over the view: base's answer for the
// users not changed, delta's for the others. A rule decides each user on
// their own attributes and companies, which delta holds whole.
func (v *view) audience(rule, except *portal.Rule, s *portal.Schema, now time.Time) (*roaring.Bitmap, error) {
	set, err := v.base.Audience(rule, except, s, now)
	if err != nil || v.delta == nil {
		return set, err
	}
	d, err := v.delta.Audience(rule, except, s, now)
	if err != nil {
		return nil, err
	}
	set.AndNot(v.patched)
	set.Or(d)
	return set, nil
}

// first is Columns.First over the view.
func (v *view) first(rule, except *portal.Rule, s *portal.Schema, now time.Time, n int) ([]uint32, error) {
	if v.delta == nil {
		return v.base.First(rule, except, s, now, n)
	}
	set, err := v.audience(rule, except, s, now)
	if err != nil {
		return nil, err
	}
	return Head(set, n), nil
}

// allSet returns the users of c as a set.
func (c *Columns) allSet() *roaring.Bitmap {
	return roaring.FromDense(c.all.clone(), false)
}

// Set returns the seqs of the users rule matches and except does not (a
// nil rule matches no one, a nil except takes no one away), exactly as
// portal.Eval decides user by user. Returns EINVALID for a condition
// the schema does not allow.
func (e *Engine) Set(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time) (*roaring.Bitmap, error) {
	var set *roaring.Bitmap
	err := e.answer(ctx, func(v *view) (err error) {
		set, err = v.audience(rule, except, s, now)
		return err
	})
	if err != nil {
		return nil, invalid(err, s, rule, except)
	}
	return set, nil
}

// Audience counts the users rule matches at now, and lists the first
// limit of them in workspace order. A nil rule matches no one.
func (e *Engine) Audience(ctx context.Context, rule *portal.Rule, s *portal.Schema, now time.Time, limit int) (int, []portal.UserSummary, error) {
	set, err := e.Set(ctx, rule, nil, s, now)
	if err != nil {
		return 0, nil, fmt.Errorf("audience: %w", err)
	}
	users, err := e.summaries(ctx, Head(set, limit))
	if err != nil {
		return 0, nil, fmt.Errorf("audience list: %w", err)
	}
	return int(set.GetCardinality()), users, nil
}

// AudienceFirst returns the first limit users (workspace order) rule
// matches and except does not, exactly the head of the whole list,
// without counting them.
func (e *Engine) AudienceFirst(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time, limit int) ([]portal.UserSummary, error) {
	if limit <= 0 {
		return []portal.UserSummary{}, nil
	}
	var seqs []uint32
	err := e.answer(ctx, func(v *view) (err error) {
		seqs, err = v.first(rule, except, s, now, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audience: %w", invalid(err, s, rule, except))
	}
	return e.summaries(ctx, seqs)
}

// Summaries returns the first limit users of a set, in workspace order.
func (e *Engine) Summaries(ctx context.Context, set *roaring.Bitmap, limit int) ([]portal.UserSummary, error) {
	return e.summaries(ctx, Head(set, limit))
}

func (e *Engine) summaries(ctx context.Context, seqs []uint32) ([]portal.UserSummary, error) {
	if len(seqs) == 0 {
		return []portal.UserSummary{}, nil
	}
	return e.src.Summaries(ctx, seqs)
}

// PortalSets returns who has access under st and who of them is
// restricted, at now.
func (e *Engine) PortalSets(ctx context.Context, st *portal.Settings, s *portal.Schema, now time.Time) (PortalSets, error) {
	var p PortalSets
	err := e.answer(ctx, func(v *view) (err error) {
		p, err = newSetCache(v, s, now).portalSets(st)
		return err
	})
	return p, err
}

// Impact compares the users' states under before and after (see
// NewImpact). Each distinct rule of the two documents is computed once,
// the rules on goroutines of their own.
func (e *Engine) Impact(ctx context.Context, before, after *portal.Settings, s *portal.Schema, now time.Time) (*Impact, error) {
	var im *Impact
	err := e.answer(ctx, func(v *view) error {
		c := newSetCache(v, s, now)
		c.prefetch(before, after)
		b, err := c.portalSets(before)
		if err != nil {
			return err
		}
		a, err := c.portalSets(after)
		if err != nil {
			return err
		}
		im = NewImpact(v.users(), b, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	return im, nil
}

// ImpactUsers returns limit users of an impact group from offset, in
// workspace order, with their states and names.
func (e *Engine) ImpactUsers(ctx context.Context, im *Impact, group string, offset, limit int) ([]portal.ImpactUser, error) {
	out := []portal.ImpactUser{}
	seqs, err := im.Page(group, offset, limit)
	if err != nil || len(seqs) == 0 {
		return out, err
	}
	users, err := e.summaries(ctx, seqs)
	if err != nil {
		return nil, err
	}
	for i, u := range users {
		before, after := im.States(seqs[i])
		out = append(out, portal.ImpactUser{ID: u.ID, Email: u.Email, Name: u.Name, Before: before, After: after})
	}
	return out, nil
}

// CompanyExposure finds the users of company a who see a portal ticket
// of company b under p (see ExposureOf).
func (e *Engine) CompanyExposure(ctx context.Context, p PortalSets, a, b string) (Exposure, error) {
	r, err := e.src.CompanyReach(ctx, a, b)
	if err != nil {
		return Exposure{}, err
	}
	for _, m := range []**roaring.Bitmap{&r.MembersA, &r.MembersB, &r.Creators} {
		if *m == nil {
			*m = roaring.New()
		}
	}
	if r.Tickets == 0 {
		r.MembersB = nil
	}
	return ExposureOf(p, r.MembersA, r.MembersB, r.Creators, r.Tickets), nil
}

// setCache computes each distinct rule's audience once for the
// documents of one answer.
type setCache struct {
	v    *view
	s    *portal.Schema
	now  time.Time
	mu   sync.Mutex
	sets map[string]*roaring.Bitmap
}

func newSetCache(v *view, s *portal.Schema, now time.Time) *setCache {
	return &setCache{v: v, s: s, now: now, sets: map[string]*roaring.Bitmap{}}
}

// of returns the users rule matches; the set is shared: never change it.
func (c *setCache) of(rule *portal.Rule) (*roaring.Bitmap, error) {
	key, err := json.Marshal(rule)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	b, ok := c.sets[string(key)]
	c.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err = c.v.audience(rule, nil, c.s, c.now)
	if err != nil {
		return nil, invalid(err, c.s, rule, nil)
	}
	c.mu.Lock()
	c.sets[string(key)] = b
	c.mu.Unlock()
	return b, nil
}

// prefetch computes the distinct rules of the documents at once, each
// on a goroutine of its own; errors come back from of.
func (c *setCache) prefetch(docs ...*portal.Settings) {
	todo := map[string]*portal.Rule{}
	for _, st := range docs {
		for _, r := range Rules(st) {
			if key, err := json.Marshal(r); err == nil {
				todo[string(key)] = r
			}
		}
	}
	if len(todo) < 2 {
		return
	}
	var wg sync.WaitGroup
	for _, r := range todo {
		wg.Go(func() { c.of(r) })
	}
	wg.Wait()
}

// portalSets computes the sets of st, exactly as portal.Decide decides
// user by user.
func (c *setCache) portalSets(st *portal.Settings) (PortalSets, error) {
	return SetsOf(st, c.of)
}

// invalid turns ErrUnsupported into a sentence naming the condition the
// schema does not allow (EINVALID).
func invalid(err error, s *portal.Schema, rules ...*portal.Rule) error {
	if !errors.Is(err, ErrUnsupported) {
		return err
	}
	for _, r := range rules {
		for _, cd := range r.Conditions() {
			a, ok := s.Lookup(cd.Attribute)
			if !ok {
				return portal.Errorf(portal.EINVALID, "unknown attribute %q", cd.Attribute)
			}
			e := &colEval{s: s}
			if e.check(cd) != nil {
				return portal.Errorf(portal.EINVALID, "%s cannot be compared with %s %v", a.Name, cd.Operator, cd.Value)
			}
		}
	}
	return portal.Errorf(portal.EINVALID, "the rule cannot be evaluated: %v", err)
}
