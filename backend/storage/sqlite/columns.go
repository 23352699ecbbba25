package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
)

// In-memory columns of the users' rule attributes: audiences are counted
// by the audience engine (package audience), which scans compact columns
// in Go instead of running one SQL query per condition. This file reads
// the rows the engine is built from and keeps it in step with the data;
// colfile.go keeps the engine's data in a file beside the workspace
// (<workspace>.audience), derived data a new process reads in
// milliseconds.
//
// The policy per process: a long-running one (the desktop app, the
// server, the bench: UseColumns(true) or LoadColumns) reads the file
// when it holds the current generation, and otherwise builds the columns
// from SQL and writes the file. A one-shot command (the default) reads
// the file on its first audience when it holds the current generation,
// and otherwise runs the indexed SQL path: it never waits for a build.
// UseColumns(false) turns columns off (the SQL path always).
//
// The columns never give a stale answer. Every write to the dataset
// (Import, including Replace) bumps a generation number stored in the
// workspace, inside the writing transaction; the columns remember the
// generation they were read at (in the read transactions of the data),
// and an audience uses them only while the workspace's generation is the
// same, which it reads first (one indexed row). Otherwise it runs the SQL
// set path, and the columns are read again in the background. This holds
// for writes by other processes on the same file too.

// generationKey is the meta row holding the dataset's generation, a
// counter; stampKey the row holding a random stamp written with it, so
// that a generation names one state of one workspace's data (two
// workspaces, or a workspace restored from a copy and written again,
// reach the same counter with other data).
const (
	generationKey = "dataset_generation"
	stampKey      = "dataset_stamp"
)

// bumpGeneration marks the dataset as changed; call it inside every
// transaction that writes users, companies, memberships or their
// attributes.
func bumpGeneration(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, '1')
		ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`, generationKey)
	if err == nil {
		_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, stampKey, newStamp())
	}
	return err
}

// newStamp returns a random stamp.
func newStamp() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// generation returns the dataset's current generation: the counter, the
// stamp and the schema version (the migrations applied),
// "<counter>/<stamp>/<migrations>". The stamp is empty in a workspace
// not written since stamps came; a migration, which may change how rows
// are stored or folded, changes the schema version.
func generation(ctx context.Context, q queryer) (string, error) {
	var g string
	err := q.QueryRowContext(ctx, `SELECT coalesce((SELECT value FROM meta WHERE key = ?), '0')
		|| '/' || coalesce((SELECT value FROM meta WHERE key = ?), '')
		|| '/' || (SELECT count(*) FROM migrations)`, generationKey, stampKey).Scan(&g)
	return g, err
}

// stamped reports whether a generation has a stamp.
func stamped(gen string) bool {
	_, rest, _ := strings.Cut(gen, "/")
	stamp, _, _ := strings.Cut(rest, "/")
	return stamp != ""
}

// genCounter returns the counter of a generation.
func genCounter(gen string) (int64, error) {
	n, _, _ := strings.Cut(gen, "/")
	return strconv.ParseInt(n, 10, 64)
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
	// FromFile is true when the columns were read from the file beside
	// the workspace (not built from SQL).
	FromFile bool `json:"from_file"`
	// FileErr says why the columns built could not be written beside
	// the workspace, if so.
	FileErr string `json:"file_error,omitempty"`
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
	off     bool   // UseColumns(false): never columns, not even the file
	tried   string // the generation a one-shot process last read the file at
}

// LoadColumns reads the columns now (a few streamed queries in read
// transactions, which never block writers; about 2 s at 1,000,000 users)
// and turns their use on: from then on audiences scan them while they
// match the dataset, and a write makes the workspace read them again in
// the background. Call it once after opening, in a long-running process
// (or UseColumns(true), which does not wait).
func (ws *Workspace) LoadColumns(ctx context.Context) error {
	ws.cols.mu.Lock()
	ws.cols.on, ws.cols.off = true, false
	ws.cols.mu.Unlock()
	_, c, err := ws.loadColumns(ctx)
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
		a, errA := genCounter(cur.gen)
		b, errB := genCounter(c.gen)
		if errA == nil && errB == nil && a > b {
			return
		}
	}
	ws.cols.cur = c
}

// UseColumns turns the use of columns on or off. On: they are read in the
// background now, from the file beside the workspace when it is fresh or
// else from SQL (audiences run the SQL path meanwhile), and again after
// every write. Off: they are dropped, and audiences run the SQL path,
// even when the file is fresh.
func (ws *Workspace) UseColumns(on bool) {
	ws.cols.mu.Lock()
	defer ws.cols.mu.Unlock()
	ws.cols.on, ws.cols.off = on, !on
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
		st.Users, st.Companies, st.Attributes = c.Users(), c.Companies(), c.Attributes()
		st.Bytes, st.LoadTime = c.Bytes(), c.loadTime
		st.FromFile, st.FileErr = c.fromFile, c.fileErr
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
		gen, c, err := ws.loadColumns(ctx)
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
// dataset now, else nil (then, when in use, a background load starts). A
// one-shot process (columns neither on nor off) reads them from the file
// beside the workspace, once per generation, when it is fresh.
func (ws *Workspace) freshColumns(ctx context.Context) *columns {
	ws.cols.mu.Lock()
	on, off, c := ws.cols.on, ws.cols.off, ws.cols.cur
	ws.cols.mu.Unlock()
	if off {
		return nil
	}
	gen, err := generation(ctx, ws.db)
	if err != nil {
		return nil
	}
	if c != nil && c.gen == gen {
		return c
	}
	if !on {
		return ws.oneShotColumns(gen)
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

// columns are the audience engine's columns at one generation of the
// dataset.
type columns struct {
	gen      string
	loadTime time.Duration
	fromFile bool   // read from the file beside the workspace
	fileErr  string // why they could not be written there
	*audience.Columns
}

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
		gen = loaders[0].gen
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
		if l.gen != gen || l.rows != loaders[0].rows {
			return gen, nil, errMoved
		}
	}
	eng, err := audience.NewColumns(loaders[0].ub, loaders[1].uab, loaders[2].cb)
	if err != nil {
		return gen, nil, err
	}
	return gen, &columns{gen: gen, Columns: eng}, nil
}

// colLoader reads the rows of some of the columns in its own read
// transaction and pushes them into the engine's builders.
type colLoader struct {
	ctx   context.Context
	conn  *sql.Conn
	cache string // the connection's page cache size, restored at the end
	gen   string // the dataset's generation the transaction sees
	rows  int    // user rows: the highest seq + 1
	// The engine's builders this loader fills (one of them: users, their
	// custom attributes, or the companies with the memberships).
	ub  *audience.UserBuilder
	uab *audience.AttrBuilder
	cb  *audience.CompanyBuilder
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
	l := &colLoader{ctx: ctx, conn: conn}
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
	if l.gen, err = generation(ctx, conn); err != nil {
		l.end()
		return nil, err
	}
	var hi int64
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0), count(*) FROM users`).Scan(&hi, &n); err != nil {
		l.end()
		return nil, err
	}
	if hi < 0 || hi >= math.MaxUint32-1 || hi > 4*int64(n)+1<<20 {
		l.end()
		return nil, fmt.Errorf("the users' numbers (up to %d for %d users) are too sparse for columns", hi, n)
	}
	l.rows = int(hi) + 1
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

// The standard attributes, in the order the load queries select them.
var (
	userStrFields  = []audience.UserField{audience.UserID, audience.UserExternalID, audience.UserEmail, audience.UserName, audience.UserRole}
	userDateFields = []audience.UserField{audience.UserCreatedAt, audience.UserSignedUpAt, audience.UserLastSeenAt}
	compStrFields  = []audience.CompanyField{audience.CompanyID, audience.CompanyCompanyID, audience.CompanyName, audience.CompanyPlan, audience.CompanyIndustry, audience.CompanyWebsite}
	compNumFields  = []audience.CompanyField{audience.CompanySize, audience.CompanyMonthlySpend, audience.CompanyCreatedAt}
)

func (l *colLoader) users() error {
	b := audience.NewUserBuilder(l.rows)
	err := l.eachRow(`SELECT seq, id_fold, external_id_fold, email_fold, name_fold, role_fold, created_at, signed_up_at, last_seen_at
		FROM users ORDER BY seq`, func(v []driver.Value) error {
		seq, ok := valInt(v[0])
		if !ok || seq < 0 || seq >= int64(l.rows) {
			return audience.ErrOrder
		}
		r := uint32(seq)
		if err := b.Add(r); err != nil {
			return err
		}
		for i, f := range userStrFields {
			if x, ok := valStr(v[1+i]); ok {
				if err := b.String(f, r, x); err != nil {
					return err
				}
			}
		}
		for i, f := range userDateFields {
			if x, ok := valInt(v[6+i]); ok {
				if err := b.Date(f, r, x); err != nil {
					return err
				}
			}
		}
		return nil
	})
	l.ub = b
	return err
}

// addAttr pushes one attribute row (key, kind, str, num) into b: a string
// kind reads str, the others num. A NULL value column counts as unset, as
// in the SQL path.
func addAttr(b *audience.AttrBuilder, row uint32, v []driver.Value) error {
	key, _ := valStr(v[0])
	kind, _ := valStr(v[1])
	if k := portal.ValueKind(kind); k == portal.KindString {
		if str, ok := valStr(v[2]); ok {
			return b.String(row, key, str)
		}
	} else if num, ok := valFloat(v[3]); ok {
		return b.Number(row, key, k, num)
	}
	return nil
}

func (l *colLoader) userAttrs() error {
	b := audience.NewAttrBuilder()
	err := l.eachRow(`SELECT user_seq, key, kind, str, num FROM user_attrs ORDER BY user_seq, key`, func(v []driver.Value) error {
		seq, ok := valInt(v[0])
		if !ok || seq < 0 || seq >= int64(l.rows) {
			return nil // not a user (the foreign key forbids it)
		}
		return addAttr(b, uint32(seq), v[1:])
	})
	l.uab = b
	return err
}

func (l *colLoader) companies() error {
	b := audience.NewCompanyBuilder(l.rows)
	l.cb = b
	return l.eachRow(`SELECT id, id_fold, company_id_fold, name_fold, plan_fold, industry_fold, website_fold, size, monthly_spend, created_at
		FROM companies ORDER BY id`, func(v []driver.Value) error {
		id, _ := valStr(v[0])
		r, err := b.Add(id)
		if err != nil {
			return err
		}
		for i, f := range compStrFields {
			if x, ok := valStr(v[1+i]); ok {
				if err := b.String(f, r, x); err != nil {
					return err
				}
			}
		}
		for i, f := range compNumFields {
			if x, ok := valFloat(v[7+i]); ok {
				if err := b.Number(f, r, x); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (l *colLoader) companyAttrs() error {
	b := l.cb
	return l.eachRow(`SELECT company_id, key, kind, str, num FROM company_attrs ORDER BY company_id, key`, func(v []driver.Value) error {
		id, _ := valStr(v[0])
		r, ok := b.Row(id)
		if !ok {
			return nil
		}
		return addAttr(b.Attrs(), r, v[1:])
	})
}

func (l *colLoader) memberships() error {
	b := l.cb
	return l.eachRow(`SELECT user_seq, company_id FROM memberships ORDER BY user_seq, company_id`, func(v []driver.Value) error {
		seq, _ := valInt(v[0])
		id, _ := valStr(v[1])
		return b.Member(seq, id)
	})
}
