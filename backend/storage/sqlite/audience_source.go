package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
)

// The audience engine's source (package audience): the rows the engine's
// columns are built from, and the dataset's generation, which tells the
// engine whether its columns hold the data as it is now.
//
// Every write to the dataset (Import, including Replace) bumps a
// generation number stored in the workspace, inside the writing
// transaction, with a random stamp; the columns are read in read
// transactions that see one generation, and the engine answers from them
// only while the workspace's generation is the same, which it reads
// first (one indexed row). This holds for writes by other processes on
// the same file too.

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
	err := q.QueryRowContext(ctx, generationSQL, generationKey, stampKey).Scan(&g)
	return g, err
}

const generationSQL = `SELECT coalesce((SELECT value FROM meta WHERE key = ?), '0')
	|| '/' || coalesce((SELECT value FROM meta WHERE key = ?), '')
	|| '/' || (SELECT count(*) FROM migrations)`

// generation is the function generation with the statement prepared
// once: every question of the running app and every preview reads it.
func (d *DB) generation(ctx context.Context) (string, error) {
	var g string
	err := d.queryRow(ctx, generationSQL, generationKey, stampKey).Scan(&g)
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

// Generation returns the dataset's generation (audience.Source). A
// workspace not written since stamps came is given one first, when it
// can be written.
func (ws *Workspace) Generation(ctx context.Context) (string, error) {
	gen, err := ws.generation(ctx)
	if err != nil || stamped(gen) {
		return gen, err
	}
	ws.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, stampKey, newStamp())
	return ws.generation(ctx)
}

// ReadColumns reads every user, company and membership into the audience
// engine's columns (audience.Source).
//
// The tables are read by three read transactions on three connections at
// once (a snapshot each, never blocking writers): the users, their custom
// attributes, and the companies with the memberships. They saw the same
// data when they saw the same generation (every write bumps it in its own
// transaction); otherwise a write came between their starts, and they
// read again.
func (ws *Workspace) ReadColumns(ctx context.Context) (*audience.Columns, string, error) {
	var gen string
	var err error
	for try := 0; try < 3; try++ {
		var c *audience.Columns
		gen, c, err = ws.readColumnsOnce(ctx)
		if err == nil {
			return c, gen, nil
		}
		if !errors.Is(err, errMoved) {
			break
		}
	}
	return nil, gen, err
}

// NotifyChanges makes the workspace call fn after every import it
// commits (audience.ChangeNotifier).
func (ws *Workspace) NotifyChanges(fn func()) {
	ws.watchMu.Lock()
	defer ws.watchMu.Unlock()
	ws.watchers = append(ws.watchers, fn)
}

// dataChanged is called after a write to the dataset committed.
func (ws *Workspace) dataChanged() {
	ws.watchMu.Lock()
	fns := slices.Clone(ws.watchers)
	ws.watchMu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// errMoved says a write came between the starts of the load's
// transactions.
var errMoved = errors.New("the dataset changed while the columns were read")

func (ws *Workspace) readColumnsOnce(ctx context.Context) (string, *audience.Columns, error) {
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
			l, err := ws.beginLoad(ctx, true)
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
	c, err := audience.NewColumns(loaders[0].ub, loaders[1].uab, loaders[2].cb)
	return gen, c, err
}

// colLoader reads the rows of some of the columns in its own read
// transaction and pushes them into the engine's builders.
type colLoader struct {
	ctx   context.Context
	conn  *sql.Conn
	cache string // the connection's page cache size, restored at the end
	gen   string // the dataset's generation the transaction sees
	rows  int    // user rows: the highest seq + 1
	// only, when not "", limits the load to the users whose seqs this
	// JSON array lists, with their companies (ReadChanges).
	only string
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
// reads the generation and the users' numbering. With check, it also
// counts the users, to refuse seqs too sparse for columns: a scan of the
// users' smallest index (about 100 ms at a million users), which the
// load of the changes alone skips.
func (ws *Workspace) beginLoad(ctx context.Context, check bool) (*colLoader, error) {
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
	n := int64(math.MaxUint32)
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM users`).Scan(&hi); err != nil {
		l.end()
		return nil, err
	}
	if check {
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
			l.end()
			return nil, err
		}
	}
	if hi < 0 || hi >= math.MaxUint32-1 || hi > 4*n+1<<20 {
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
		var args []driver.NamedValue
		if l.only != "" {
			// Every filter names the list once, as ?1.
			args = []driver.NamedValue{{Ordinal: 1, Value: l.only}}
		}
		rows, err := q.QueryContext(l.ctx, query, args)
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

// filter returns the WHERE clause that limits a query to the users of
// l.only (by the column naming their seq), or "".
func (l *colLoader) filter(seqCol string) string {
	if l.only == "" {
		return ""
	}
	return ` WHERE ` + seqCol + ` IN (SELECT value FROM json_each(?1))`
}

// companyFilter returns the WHERE clause that limits a query to the
// companies of the users of l.only (by the column naming the company),
// or "".
func (l *colLoader) companyFilter(idCol string) string {
	if l.only == "" {
		return ""
	}
	return ` WHERE ` + idCol + ` IN (SELECT company_id FROM memberships WHERE user_seq IN (SELECT value FROM json_each(?1)))`
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
		FROM users`+l.filter("seq")+` ORDER BY seq`, func(v []driver.Value) error {
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
	err := l.eachRow(`SELECT user_seq, key, kind, str, num FROM user_attrs`+l.filter("user_seq")+` ORDER BY user_seq, key`, func(v []driver.Value) error {
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
		FROM companies`+l.companyFilter("id")+` ORDER BY id`, func(v []driver.Value) error {
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
	return l.eachRow(`SELECT company_id, key, kind, str, num FROM company_attrs`+l.companyFilter("company_id")+` ORDER BY company_id, key`, func(v []driver.Value) error {
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
	return l.eachRow(`SELECT user_seq, company_id FROM memberships`+l.filter("user_seq")+` ORDER BY user_seq, company_id`, func(v []driver.Value) error {
		seq, _ := valInt(v[0])
		id, _ := valStr(v[1])
		return b.Member(seq, id)
	})
}

// The changes log: every import records, with its generation, the users
// and companies it wrote (dataset_log, dataset_changes; migration 009),
// so that the audience engine re-reads only their rows. An import that
// writes many, or a Replace (which deletes), records that its changes
// are not listed; the log then starts again from it.
// maxLogged is the most users and companies an import lists (tests
// lower it).
var maxLogged = 20_000

const (
	// logKept is how many generations the log keeps.
	logKept = 512
	// maxChangedUsers is the most users ReadChanges reads.
	maxChangedUsers = 100_000
)

// changes are the users (seqs) and companies (ids) an import wrote.
type changes struct {
	users     map[int64]struct{}
	companies map[string]struct{}
	unlisted  bool // too many, or deletions: not listed
}

func newChanges() *changes {
	return &changes{users: map[int64]struct{}{}, companies: map[string]struct{}{}}
}

func (c *changes) user(seq int64) {
	if !c.unlisted {
		c.users[seq] = struct{}{}
		c.check()
	}
}

func (c *changes) company(id string) {
	if !c.unlisted {
		c.companies[id] = struct{}{}
		c.check()
	}
}

func (c *changes) check() {
	if len(c.users)+len(c.companies) > maxLogged {
		c.unlisted, c.users, c.companies = true, nil, nil
	}
}

// logChanges records ch under the generation bumpGeneration just wrote,
// in the same transaction.
func logChanges(ctx context.Context, tx *sql.Tx, ch *changes) error {
	var counter int64
	var stamp string
	if err := tx.QueryRowContext(ctx, `SELECT CAST((SELECT value FROM meta WHERE key = ?) AS INTEGER), (SELECT value FROM meta WHERE key = ?)`,
		generationKey, stampKey).Scan(&counter, &stamp); err != nil {
		return err
	}
	if ch == nil || ch.unlisted {
		// Nothing before this generation can be caught up from.
		for _, q := range []string{`DELETE FROM dataset_changes`, `DELETE FROM dataset_log`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO dataset_log (counter, stamp, listed) VALUES (?, ?, 0)`, counter, stamp)
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO dataset_log (counter, stamp, listed) VALUES (?, ?, 1)`, counter, stamp); err != nil {
		return err
	}
	if len(ch.users) > 0 {
		list, _ := json.Marshal(slices.Collect(maps.Keys(ch.users)))
		if _, err := tx.ExecContext(ctx, `INSERT INTO dataset_changes (counter, user_seq) SELECT ?, value FROM json_each(?)`, counter, string(list)); err != nil {
			return err
		}
	}
	if len(ch.companies) > 0 {
		list, _ := json.Marshal(slices.Collect(maps.Keys(ch.companies)))
		if _, err := tx.ExecContext(ctx, `INSERT INTO dataset_changes (counter, company_id) SELECT ?, value FROM json_each(?)`, counter, string(list)); err != nil {
			return err
		}
	}
	for _, q := range []string{`DELETE FROM dataset_changes WHERE counter <= ?`, `DELETE FROM dataset_log WHERE counter <= ?`} {
		if _, err := tx.ExecContext(ctx, q, counter-logKept); err != nil {
			return err
		}
	}
	return nil
}

// parseGen splits a generation into its counter, stamp and schema
// version.
func parseGen(gen string) (counter int64, stamp, schema string, ok bool) {
	c, rest, ok1 := strings.Cut(gen, "/")
	stamp, schema, ok2 := strings.Cut(rest, "/")
	n, err := strconv.ParseInt(c, 10, 64)
	return n, stamp, schema, ok1 && ok2 && err == nil
}

// ReadChanges reads the users changed since generation since
// (audience.Source): the users the imports since listed, and the members
// of the companies they listed, with all their attributes and companies,
// in one read transaction. It returns audience.ErrChangesUnknown when
// since is not a generation of this workspace's log, a migration came
// since, an import since did not list its changes (a Replace, a large
// import), or too many users changed.
func (ws *Workspace) ReadChanges(ctx context.Context, since string) (*audience.Columns, string, error) {
	// The seqs were checked by the load of the columns the changes
	// patch: since then imports listed every user they wrote, and a new
	// user takes the next seq, so they are as dense as they were.
	l, err := ws.beginLoad(ctx, false)
	if err != nil {
		return nil, "", err
	}
	defer l.end()
	c0, s0, m0, ok0 := parseGen(since)
	c1, _, m1, ok1 := parseGen(l.gen)
	if !ok0 || !ok1 || m0 != m1 || c0 > c1 {
		return nil, l.gen, audience.ErrChangesUnknown
	}
	var known, listed int64
	if err := l.conn.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM dataset_log WHERE counter = ?1 AND stamp = ?2),
		(SELECT count(*) FROM dataset_log WHERE counter > ?1 AND counter <= ?3 AND listed = 1)`, c0, s0, c1).Scan(&known, &listed); err != nil {
		return nil, l.gen, err
	}
	if known != 1 || listed != c1-c0 {
		return nil, l.gen, audience.ErrChangesUnknown
	}
	var list []byte
	if err := l.conn.QueryRowContext(ctx, `SELECT group_concat(s) FROM (
		SELECT user_seq AS s FROM dataset_changes WHERE counter > ?1 AND counter <= ?2 AND user_seq IS NOT NULL
		UNION SELECT m.user_seq FROM dataset_changes d JOIN memberships m ON m.company_id = d.company_id
			WHERE d.counter > ?1 AND d.counter <= ?2 AND d.company_id IS NOT NULL)`, c0, c1).Scan(&list); err != nil {
		return nil, l.gen, err
	}
	set, err := parseSeqs(list)
	if err != nil {
		return nil, l.gen, err
	}
	if set.GetCardinality() > maxChangedUsers {
		return nil, l.gen, fmt.Errorf("%w: %d users changed", audience.ErrChangesUnknown, set.GetCardinality())
	}
	only, err := json.Marshal(set.ToArray())
	if err != nil {
		return nil, l.gen, err
	}
	l.only = string(only)
	for _, step := range []func() error{l.users, l.userAttrs, l.companies, l.companyAttrs, l.memberships} {
		if err := step(); err != nil {
			return nil, l.gen, err
		}
	}
	c, err := audience.NewColumns(l.ub, l.uab, l.cb)
	return c, l.gen, err
}

// Summaries returns the users of seqs, in the same order
// (audience.Source).
func (ws *Workspace) Summaries(ctx context.Context, seqs []uint32) ([]portal.UserSummary, error) {
	if len(seqs) == 0 {
		return []portal.UserSummary{}, nil
	}
	args := make([]any, len(seqs))
	for i, s := range seqs {
		args[i] = int64(s)
	}
	rows, err := ws.db.QueryContext(ctx, `SELECT u.seq, u.id, coalesce(u.email, ''), coalesce(u.name, '') FROM users u WHERE u.seq IN (`+
		placeholders(len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	bySeq := map[uint32]portal.UserSummary{}
	for rows.Next() {
		var seq int64
		var u portal.UserSummary
		if err := rows.Scan(&seq, &u.ID, &u.Email, &u.Name); err != nil {
			return nil, err
		}
		bySeq[uint32(seq)] = u
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]portal.UserSummary, len(seqs))
	for i, s := range seqs {
		out[i] = bySeq[s]
	}
	return out, nil
}

// CompanyReach reads the members of companies a and b and the creators of
// b's shared Customer tickets (audience.Source).
func (ws *Workspace) CompanyReach(ctx context.Context, a, b string) (audience.Reach, error) {
	var r audience.Reach
	if err := ws.db.QueryRowContext(ctx, `SELECT count(*) FROM tickets t WHERE t.company_id = ? AND t.category = 'Customer' AND t.is_shared = 1`, b).Scan(&r.Tickets); err != nil {
		return r, err
	}
	var err error
	if r.MembersA, err = ws.seqs(ctx, `SELECT user_seq AS s FROM memberships WHERE company_id = ?`, a); err != nil {
		return r, err
	}
	if r.MembersB, err = ws.seqs(ctx, `SELECT user_seq AS s FROM memberships WHERE company_id = ?`, b); err != nil {
		return r, err
	}
	r.Creators, err = ws.seqs(ctx, `SELECT DISTINCT u.seq AS s FROM tickets t JOIN users u ON u.id = t.creator_id
		WHERE t.company_id = ? AND t.category = 'Customer' AND t.is_shared = 1`, b)
	return r, err
}

// seqsDenseMin is how many values seqs sets in a dense bitmap first.
var seqsDenseMin = 1 << 14

// seqs runs a query of one integer column named s and returns its values
// as a set.
// The values travel as one comma-separated string (one row from SQLite
// instead of one per user); many values (in any order) are set in a dense
// bitmap first, which becomes the set at once.
func (ws *Workspace) seqs(ctx context.Context, query string, args ...any) (*roaring.Bitmap, error) {
	var list []byte
	if err := ws.db.QueryRowContext(ctx, `SELECT group_concat(s) FROM (`+query+`)`, args...).Scan(&list); err != nil {
		return nil, err
	}
	return parseSeqs(list)
}

// parseSeqs reads a comma-separated list of seqs as a set.
func parseSeqs(list []byte) (*roaring.Bitmap, error) {
	if len(list) == 0 {
		return roaring.New(), nil
	}
	vals := make([]uint32, 0, min(len(list)/2+1, 1<<16))
	var n uint64
	for i, c := range list {
		switch {
		case c >= '0' && c <= '9':
			if n = n*10 + uint64(c-'0'); n > math.MaxUint32 {
				return nil, fmt.Errorf("seqs: a value out of range at byte %d", i)
			}
		case c == ',':
			vals = append(vals, uint32(n))
			n = 0
		default:
			return nil, fmt.Errorf("seqs: %q at byte %d is not a seq", c, i)
		}
	}
	vals = append(vals, uint32(n))
	if len(vals) < seqsDenseMin {
		return roaring.BitmapOf(vals...), nil
	}
	dense := make([]uint64, (int(slices.Max(vals))+64)/64)
	for _, v := range vals {
		dense[v>>6] |= 1 << (v & 63)
	}
	return roaring.FromDense(dense, false), nil
}

// scanPairs reads rows of two strings (a key, then its value) into a new
// map, and closes rows.
func scanPairs(rows *sql.Rows, err error) (map[string]string, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
