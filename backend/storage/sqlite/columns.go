package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"sync"
	"time"

	"portalstudio/backend/portal"
)

// In-memory columns of the users' rule attributes, for a long-running
// process (the desktop app, the server, the bench): audiences are then
// counted by scanning compact columns in Go instead of running one SQL
// query per condition. Every attribute a rule may name is held: the
// users' folded strings, dates and custom attributes, each company's, and
// the memberships (user → companies, in CSR form). A one-shot command does
// not load them: it keeps the indexed SQL path.
//
// The columns never give a stale answer. Every write to the dataset
// (Import, including Replace) bumps a generation number stored in the
// workspace, inside the writing transaction; the columns remember the
// generation they were read at (in the read transactions of the data),
// and an audience uses them only while the workspace's generation is the
// same, which it reads first (one indexed row). Otherwise it runs the SQL
// set path, and the columns are read again in the background. This holds
// for writes by other processes on the same file too.

// generationKey is the meta row holding the dataset's generation.
const generationKey = "dataset_generation"

// bumpGeneration marks the dataset as changed; call it inside every
// transaction that writes users, companies, memberships or their
// attributes.
func bumpGeneration(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, '1')
		ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`, generationKey)
	return err
}

// generation returns the dataset's current generation.
func generation(ctx context.Context, q queryer) (string, error) {
	var g string
	err := q.QueryRowContext(ctx, `SELECT coalesce((SELECT value FROM meta WHERE key = ?), '0')`, generationKey).Scan(&g)
	return g, err
}

// ColumnStats describes the in-memory columns.
type ColumnStats struct {
	// On is true when the workspace uses columns (LoadColumns or
	// UseColumns(true) was called).
	On bool `json:"on"`
	// Loaded is true when columns are in memory (an audience uses them
	// only while they match the dataset).
	Loaded     bool          `json:"loaded"`
	Users      int           `json:"users"`
	Companies  int           `json:"companies"`
	Attributes int           `json:"attributes"`
	Bytes      int64         `json:"bytes"`
	LoadTime   time.Duration `json:"load_time"`
	// Err is the last background load's failure, if any.
	Err string `json:"error,omitempty"`
}

// colState is a workspace's column policy and its current columns.
type colState struct {
	mu      sync.Mutex
	on      bool
	cur     *columns
	loading bool
	done    chan struct{} // closed when the background load in progress ends
	cancel  context.CancelFunc
	failed  string // the generation a background load failed at
	err     error
	closed  bool
}

// LoadColumns reads the columns now (a few streamed queries in read
// transactions, which never block writers; about 2 s at 1,000,000 users)
// and turns their use on: from then on audiences scan them while they
// match the dataset, and a write makes the workspace read them again in
// the background. Call it once after opening, in a long-running process
// (or UseColumns(true), which does not wait).
func (ws *Workspace) LoadColumns(ctx context.Context) error {
	ws.cols.mu.Lock()
	ws.cols.on = true
	ws.cols.mu.Unlock()
	_, c, err := ws.readColumns(ctx)
	if err != nil {
		return fmt.Errorf("load columns: %w", err)
	}
	ws.cols.mu.Lock()
	defer ws.cols.mu.Unlock()
	ws.keepLocked(c)
	return nil
}

// keepLocked makes c the current columns, unless newer ones are there.
func (ws *Workspace) keepLocked(c *columns) {
	if !ws.cols.on || ws.cols.closed {
		return
	}
	if cur := ws.cols.cur; cur != nil {
		a, errA := strconv.ParseInt(cur.gen, 10, 64)
		b, errB := strconv.ParseInt(c.gen, 10, 64)
		if errA == nil && errB == nil && a > b {
			return
		}
	}
	ws.cols.cur = c
}

// UseColumns turns the use of columns on or off. On: they are read in the
// background now (audiences run the SQL path meanwhile), and again after
// every write. Off: they are dropped, and audiences run the SQL path.
func (ws *Workspace) UseColumns(on bool) {
	ws.cols.mu.Lock()
	defer ws.cols.mu.Unlock()
	ws.cols.on = on
	if !on {
		ws.cols.cur = nil
		if ws.cols.cancel != nil {
			ws.cols.cancel()
		}
		return
	}
	if ws.cols.cur == nil {
		ws.startLoadLocked("")
	}
}

// ColumnStats reports the columns' state and memory.
func (ws *Workspace) ColumnStats() ColumnStats {
	ws.cols.mu.Lock()
	defer ws.cols.mu.Unlock()
	st := ColumnStats{On: ws.cols.on}
	if ws.cols.err != nil {
		st.Err = ws.cols.err.Error()
	}
	if c := ws.cols.cur; c != nil {
		st.Loaded = true
		st.Users, st.Companies, st.Attributes = c.nUsers, c.nComp, c.attributes()
		st.Bytes, st.LoadTime = c.bytes(), c.loadTime
	}
	return st
}

// WaitColumns waits for a background load in progress, if any.
func (ws *Workspace) WaitColumns(ctx context.Context) error {
	ws.cols.mu.Lock()
	done := ws.cols.done
	ws.cols.mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// closeColumns stops a background load and drops the columns.
func (ws *Workspace) closeColumns() {
	ws.cols.mu.Lock()
	ws.cols.closed, ws.cols.on, ws.cols.cur = true, false, nil
	if ws.cols.cancel != nil {
		ws.cols.cancel()
	}
	done := ws.cols.done
	ws.cols.mu.Unlock()
	if done != nil {
		<-done
	}
}

// dataChanged is called after a write to the dataset committed: the
// columns are stale, so they are dropped (no memory held for nothing)
// and, when in use, read again in the background.
func (ws *Workspace) dataChanged() {
	ws.cols.mu.Lock()
	defer ws.cols.mu.Unlock()
	ws.cols.cur = nil
	if ws.cols.on {
		ws.startLoadLocked("")
	}
}

// startLoadLocked starts a background load unless one runs, or the last
// one failed at generation gen.
func (ws *Workspace) startLoadLocked(gen string) {
	if ws.cols.loading || ws.cols.closed || (gen != "" && gen == ws.cols.failed) {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	ws.cols.loading, ws.cols.cancel, ws.cols.done = true, cancel, done
	go func() {
		defer close(done)
		defer cancel()
		gen, c, err := ws.readColumns(ctx)
		ws.cols.mu.Lock()
		defer ws.cols.mu.Unlock()
		ws.cols.loading, ws.cols.cancel = false, nil
		if err != nil {
			ws.cols.err, ws.cols.failed = err, gen
			return
		}
		ws.cols.err, ws.cols.failed = nil, ""
		ws.keepLocked(c)
	}()
}

// freshColumns returns the columns when they are in use and match the
// dataset now, else nil (then, when in use, a background load starts).
func (ws *Workspace) freshColumns(ctx context.Context) *columns {
	ws.cols.mu.Lock()
	on, c := ws.cols.on, ws.cols.cur
	ws.cols.mu.Unlock()
	if !on {
		return nil
	}
	gen, err := generation(ctx, ws.db)
	if err != nil {
		return nil
	}
	if c != nil && c.gen == gen {
		return c
	}
	ws.cols.mu.Lock()
	defer ws.cols.mu.Unlock()
	if ws.cols.cur == c && c != nil {
		ws.cols.cur = nil // stale: free it now
	}
	ws.startLoadLocked(gen)
	return nil
}

// errNoColumns says the columns are not loaded or do not match the data.
var errNoColumns = errors.New("the in-memory columns are not loaded or are stale")

// columns are the users' and companies' rule attributes at one
// generation. They are never changed once read: audiences on several
// goroutines share them.
type columns struct {
	gen      string
	loadTime time.Duration
	rows     int    // user rows: the highest seq + 1
	nUsers   int    // users
	all      bitset // every user's seq
	user     map[string]*column
	userAttr map[attrKey]*column
	nComp    int
	comp     map[string]*column
	compAttr map[attrKey]*column
	// The memberships, in CSR form split in two, as most users belong to
	// one company: memFirst[s] is the first company (index) of the user
	// with seq s, or nComp for none; the users with more (memMore, seqs
	// increasing) have the others at memComp[memOff[i]:memOff[i+1]].
	// Memberships naming a company that is not in the workspace are left
	// out.
	memFirst []uint32
	memMore  []uint32
	memOff   []uint32
	memComp  []uint32
	// memHasMore holds the seqs of memMore, and memRank[w] counts its
	// bits before word w: the user with seq s, when in memMore, is at
	// memRank[s/64] plus the bits below s in its word.
	memHasMore bitset
	memRank    []uint32
	// csets keeps the sets of companies of recent company conditions.
	csetMu sync.Mutex
	csets  map[string]bitset
}

// moreAt returns the index in memMore of the user with seq u, and whether
// the user has more than one company.
func (c *columns) moreAt(u uint32) (int, bool) {
	w := u >> 6
	if int(w) >= len(c.memHasMore) {
		return 0, false
	}
	word := c.memHasMore[w]
	if word&(1<<(u&63)) == 0 {
		return 0, false
	}
	return int(c.memRank[w]) + bits.OnesCount64(word&(1<<(u&63)-1)), true
}

// attrKey names a custom attribute's column: its key and the kind of the
// values held (values of another kind than the attribute's are never
// stored, as in the attribute tables).
type attrKey struct {
	key  string
	kind portal.ValueKind
}

// column is one attribute's values: strings or numbers.
type column struct {
	str *strColumn
	num *numColumn
}

func (c *column) bytes() int64 {
	if c.str != nil {
		return c.str.bytes()
	}
	return c.num.bytes()
}

func (c *columns) bytes() int64 {
	n := int64(cap(c.all)+cap(c.memHasMore))*8 + int64(cap(c.memFirst)+cap(c.memMore)+cap(c.memOff)+cap(c.memComp)+cap(c.memRank))*4
	for _, m := range []map[string]*column{c.user, c.comp} {
		for _, col := range m {
			n += col.bytes()
		}
	}
	for _, m := range []map[attrKey]*column{c.userAttr, c.compAttr} {
		for _, col := range m {
			n += col.bytes()
		}
	}
	return n
}

func (c *columns) attributes() int {
	return len(c.user) + len(c.userAttr) + len(c.comp) + len(c.compAttr)
}

// The standard attributes' columns, in the order the load queries read
// them.
var (
	userStrFields  = []string{"id", "external_id", "email", "name", "role"}
	userDateFields = []string{"created_at", "signed_up_at", "last_seen_at"}
	compStrFields  = []string{"id", "company_id", "name", "plan", "industry", "website"}
	compNumFields  = []string{"size", "monthly_spend", "created_at"}
)

// readColumns reads the columns, with the generation they hold. On
// failure it still returns the generation it read, when it got that far.
//
// The tables are read by three read transactions on three connections at
// once (a snapshot each, never blocking writers): the users, their custom
// attributes, and the companies with the memberships. They saw the same
// data when they saw the same generation (every write bumps it in its own
// transaction); otherwise a write came between their starts, and they
// read again.
func (ws *Workspace) readColumns(ctx context.Context) (string, *columns, error) {
	start := time.Now()
	var gen string
	var err error
	for try := 0; try < 3; try++ {
		var c *columns
		gen, c, err = ws.readColumnsOnce(ctx)
		if err == nil {
			c.loadTime = time.Since(start)
			return gen, c, nil
		}
		if !errors.Is(err, errMoved) {
			break
		}
	}
	return gen, nil, err
}

// errMoved says a write came between the starts of the load's
// transactions.
var errMoved = errors.New("the dataset changed while the columns were read")

func (ws *Workspace) readColumnsOnce(ctx context.Context) (string, *columns, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	parts := []func(*colLoader) error{
		(*colLoader).users,
		(*colLoader).userAttrs,
		func(l *colLoader) error {
			for _, step := range []func() error{l.companies, l.companyAttrs, l.memberships} {
				if err := step(); err != nil {
					return err
				}
			}
			return nil
		},
	}
	loaders := make([]*colLoader, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, part := range parts {
		wg.Go(func() {
			l, err := ws.beginLoad(ctx)
			if err == nil {
				loaders[i] = l
				err = part(l)
			}
			if err != nil {
				errs[i] = err
				cancel()
			}
		})
	}
	wg.Wait()
	for _, l := range loaders {
		if l != nil {
			l.end()
		}
	}
	gen := ""
	if loaders[0] != nil {
		gen = loaders[0].c.gen
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return gen, nil, err
		}
	}
	if err := errors.Join(errs...); err != nil {
		return gen, nil, err
	}
	for _, l := range loaders[1:] {
		if l.c.gen != gen || l.c.rows != loaders[0].c.rows {
			return gen, nil, errMoved
		}
	}
	c := loaders[0].c
	c.userAttr = loaders[1].c.userAttr
	cc := loaders[2].c
	c.nComp, c.comp, c.compAttr = cc.nComp, cc.comp, cc.compAttr
	c.memFirst, c.memMore, c.memOff, c.memComp, c.memHasMore, c.memRank = cc.memFirst, cc.memMore, cc.memOff, cc.memComp, cc.memHasMore, cc.memRank
	return gen, c, nil
}

// colLoader reads some of the columns in its own read transaction.
type colLoader struct {
	ctx    context.Context
	conn   *sql.Conn
	cache  string // the connection's page cache size, restored at the end
	c      *columns
	compIx map[string]uint32 // company id → index
}

// loadCacheKiB bounds the page cache of a loading connection: reading
// whole tables once must not leave them in the cache (the workspace
// opens with a large one).
const loadCacheKiB = 8192

// beginLoad starts a read transaction on a connection of its own, and
// reads the generation and the users' numbering.
func (ws *Workspace) beginLoad(ctx context.Context) (*colLoader, error) {
	conn, err := ws.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	l := &colLoader{ctx: ctx, conn: conn, c: &columns{}}
	if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&l.cache); err != nil {
		conn.Close()
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, loadCacheKiB)); err != nil {
		conn.Close()
		return nil, err
	}
	// A deferred transaction takes no write lock (the driver's own Begin
	// would take one: the workspace opens with _txlock=immediate).
	if _, err := conn.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		l.end()
		return nil, err
	}
	if l.c.gen, err = generation(ctx, conn); err != nil {
		l.end()
		return nil, err
	}
	var hi int64
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0), count(*) FROM users`).Scan(&hi, &l.c.nUsers); err != nil {
		l.end()
		return nil, err
	}
	if hi < 0 || hi >= math.MaxUint32-1 || hi > 4*int64(l.c.nUsers)+1<<20 {
		l.end()
		return nil, fmt.Errorf("the users' numbers (up to %d for %d users) are too sparse for columns", hi, l.c.nUsers)
	}
	l.c.rows = int(hi) + 1
	return l, nil
}

// end closes the load's transaction and gives its connection back with
// its page cache size.
func (l *colLoader) end() {
	ctx := context.Background()
	l.conn.ExecContext(ctx, `ROLLBACK`)
	if _, err := strconv.Atoi(l.cache); err == nil {
		l.conn.ExecContext(ctx, `PRAGMA cache_size = `+l.cache)
	}
	l.conn.Close()
}

var errOrder = errors.New("rows came out of order")

// eachRow runs a query on the load's connection and calls fn with the
// values of every row (int64, float64, string or nil), straight from the
// driver: a million rows cost no conversions through database/sql.
func (l *colLoader) eachRow(query string, fn func([]driver.Value) error) error {
	return l.conn.Raw(func(dc any) error {
		q, ok := dc.(driver.QueryerContext)
		if !ok {
			return errors.New("the SQLite driver cannot run queries")
		}
		rows, err := q.QueryContext(l.ctx, query, nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		dest := make([]driver.Value, len(rows.Columns()))
		for n := 0; ; n++ {
			if n&0xffff == 0 {
				if err := l.ctx.Err(); err != nil {
					return err
				}
			}
			if err := rows.Next(dest); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			if err := fn(dest); err != nil {
				return err
			}
		}
	})
}

// The values of a row: ok is false for NULL.
func valInt(v driver.Value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		return int64(x), true
	}
	return 0, false
}

func valFloat(v driver.Value) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	}
	return 0, false
}

func valStr(v driver.Value) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}

func (l *colLoader) users() error {
	n := l.c.rows
	l.c.all = newBitset(n)
	strs := make([]strBuilder, len(userStrFields))
	dates := make([]numBuilder, len(userDateFields))
	err := l.eachRow(`SELECT seq, id_fold, external_id_fold, email_fold, name_fold, role_fold, created_at, signed_up_at, last_seen_at
		FROM users ORDER BY seq`, func(v []driver.Value) error {
		seq, ok := valInt(v[0])
		if !ok || seq < 0 || seq >= int64(n) {
			return errOrder
		}
		r := uint32(seq)
		l.c.all.set(r)
		for i := range strs {
			if x, ok := valStr(v[1+i]); ok && !strs[i].add(r, x) {
				return errOrder
			}
		}
		for i := range dates {
			if x, ok := valInt(v[6+i]); ok && !dates[i].add(r, float64(x)) {
				return errOrder
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	l.c.user = map[string]*column{}
	for i, f := range userStrFields {
		l.c.user[f] = &column{str: strs[i].finish(n)}
		strs[i] = strBuilder{}
	}
	for i, f := range userDateFields {
		l.c.user[f] = &column{num: dates[i].finish(n)}
	}
	return nil
}

// attrBuilders collects the custom attributes of one scope.
type attrBuilders struct {
	strs map[attrKey]*strBuilder
	nums map[attrKey]*numBuilder
}

func newAttrBuilders() *attrBuilders {
	return &attrBuilders{strs: map[attrKey]*strBuilder{}, nums: map[attrKey]*numBuilder{}}
}

// add records one attribute row (key, kind, str, num): a string kind reads
// str, the others num. A NULL value column counts as unset, as in the SQL
// path.
func (b *attrBuilders) add(row uint32, v []driver.Value) bool {
	key, _ := valStr(v[0])
	kind, _ := valStr(v[1])
	k := attrKey{key, portal.ValueKind(kind)}
	if k.kind == portal.KindString {
		str, ok := valStr(v[2])
		if !ok {
			return true
		}
		sb := b.strs[k]
		if sb == nil {
			sb = &strBuilder{}
			b.strs[k] = sb
		}
		return sb.add(row, str)
	}
	num, ok := valFloat(v[3])
	if !ok {
		return true
	}
	nb := b.nums[k]
	if nb == nil {
		nb = &numBuilder{}
		b.nums[k] = nb
	}
	return nb.add(row, num)
}

func (b *attrBuilders) finish(n int) map[attrKey]*column {
	out := map[attrKey]*column{}
	for k, sb := range b.strs {
		out[k] = &column{str: sb.finish(n)}
	}
	for k, nb := range b.nums {
		out[k] = &column{num: nb.finish(n)}
	}
	return out
}

func (l *colLoader) userAttrs() error {
	b := newAttrBuilders()
	err := l.eachRow(`SELECT user_seq, key, kind, str, num FROM user_attrs ORDER BY user_seq, key`, func(v []driver.Value) error {
		seq, ok := valInt(v[0])
		if !ok || seq < 0 || seq >= int64(l.c.rows) {
			return nil // not a user (the foreign key forbids it)
		}
		if !b.add(uint32(seq), v[1:]) {
			return errOrder
		}
		return nil
	})
	if err != nil {
		return err
	}
	l.c.userAttr = b.finish(l.c.rows)
	return nil
}

func (l *colLoader) companies() error {
	l.compIx = map[string]uint32{}
	strs := make([]strBuilder, len(compStrFields))
	nums := make([]numBuilder, len(compNumFields))
	err := l.eachRow(`SELECT id, id_fold, company_id_fold, name_fold, plan_fold, industry_fold, website_fold, size, monthly_spend, created_at
		FROM companies ORDER BY id`, func(v []driver.Value) error {
		id, _ := valStr(v[0])
		r := uint32(len(l.compIx))
		l.compIx[id] = r
		for i := range strs {
			if x, ok := valStr(v[1+i]); ok && !strs[i].add(r, x) {
				return errOrder
			}
		}
		for i := range nums {
			if x, ok := valFloat(v[7+i]); ok && !nums[i].add(r, x) {
				return errOrder
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	n := len(l.compIx)
	l.c.nComp = n
	l.c.comp = map[string]*column{}
	for i, fld := range compStrFields {
		l.c.comp[fld] = &column{str: strs[i].finish(n)}
	}
	for i, fld := range compNumFields {
		l.c.comp[fld] = &column{num: nums[i].finish(n)}
	}
	return nil
}

func (l *colLoader) companyAttrs() error {
	b := newAttrBuilders()
	err := l.eachRow(`SELECT company_id, key, kind, str, num FROM company_attrs ORDER BY company_id, key`, func(v []driver.Value) error {
		id, _ := valStr(v[0])
		r, ok := l.compIx[id]
		if !ok {
			return nil
		}
		if !b.add(r, v[1:]) {
			return errOrder
		}
		return nil
	})
	if err != nil {
		return err
	}
	l.c.compAttr = b.finish(l.c.nComp)
	return nil
}

func (l *colLoader) memberships() error {
	nc := uint32(l.c.nComp)
	first := make([]uint32, l.c.rows)
	for i := range first {
		first[i] = nc
	}
	var more, off, comp []uint32
	last := int64(-1)
	err := l.eachRow(`SELECT user_seq, company_id FROM memberships ORDER BY user_seq, company_id`, func(v []driver.Value) error {
		seq, _ := valInt(v[0])
		id, _ := valStr(v[1])
		if seq < last {
			return errOrder
		}
		last = seq
		r, ok := l.compIx[id]
		if !ok || seq < 0 || seq >= int64(l.c.rows) {
			return nil // a company not in the workspace gives no attributes
		}
		u := uint32(seq)
		switch {
		case first[u] == nc:
			first[u] = r
		case len(more) == 0 || more[len(more)-1] != u:
			more = append(more, u)
			off = append(off, uint32(len(comp)))
			fallthrough
		default:
			comp = append(comp, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	off = append(off, uint32(len(comp)))
	l.c.memFirst, l.c.memMore, l.c.memOff, l.c.memComp = first, slices.Clip(more), slices.Clip(off), slices.Clip(comp)
	l.c.memHasMore = newBitset(l.c.rows)
	for _, u := range more {
		l.c.memHasMore.set(u)
	}
	l.c.memRank = make([]uint32, len(l.c.memHasMore))
	var rank uint32
	for w, word := range l.c.memHasMore {
		l.c.memRank[w] = rank
		rank += uint32(bits.OnesCount64(word))
	}
	l.compIx = nil
	return nil
}
