package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"

	"portalstudio/backend/portal"
)

// The read cache of a long-running process (the portal server, the
// desktop app): the live settings, the draft, the attribute schema and
// the ticket types' names, read once per change instead of on every
// request, and the users last asked for with their companies (a
// signed-in user sends many requests; an admin previews one user after
// another). It never answers what a commit replaced, whoever made it:
// before it serves a read, a check that started after the read, or its
// request (portal.BeginReads), began has asked SQLite whether anything
// was committed since the check before (PRAGMA data_version on a
// connection of its own, which changes with every commit of any other
// connection, of this process or another), and emptied the cache if so
// (checkWrites). Every transaction of the stores over this DB
// (d.tx) also empties it at once, and a read that raced with a write
// never stores what it read. It is off unless CacheReads turns it on: a
// one-shot command reads each thing once, and the connection it checks
// with would cost it more than it saves.

// maxCachedUsers bounds the user cache; when full it starts over.
const maxCachedUsers = 20000

type readCache struct {
	mu     sync.Mutex
	on     bool
	gen    uint64
	live   *portal.Settings
	draft  *portal.Settings
	schema *portal.Schema
	types  map[string]string // every ticket type's name by id
	users  map[string]cachedUser

	// The checks (checkWrites): running says one runs; checked, that
	// one finished, lastStart when it started and lastOK its answer.
	// checkMu guards them and checkDone tells the waiting readers a check
	// finished.
	checkMu                          sync.Mutex
	checkDone                        *sync.Cond
	running, checked, lastOK, closed bool
	lastStart                        time.Time
	checks                           int // made so far (the tests)
	// check is the connection a check asks PRAGMA data_version on, opened
	// at the first; version is what it said last. Only the running check
	// uses them.
	check   *sql.Conn
	stmt    driver.StmtQueryContext // of check, used inside check.Raw
	version int64
}

// cachedUser is a user with their companies as rules see them.
type cachedUser struct {
	user      *portal.User
	companies []*portal.Company
	hasSub    bool
}

// CacheReads turns the read cache on. Values it returns are shared:
// callers must not modify them.
func (d *DB) CacheReads() {
	d.rc.mu.Lock()
	defer d.rc.mu.Unlock()
	d.rc.on = true
}

// invalidateReads empties the cache; d.tx calls it after every commit.
func (d *DB) invalidateReads() {
	d.rc.mu.Lock()
	defer d.rc.mu.Unlock()
	d.rc.emptyLocked()
}

func (rc *readCache) emptyLocked() {
	rc.gen++
	rc.live, rc.draft, rc.schema, rc.types, rc.users = nil, nil, nil, nil, nil
}

// checkWrites empties the cache when a commit came since the last check
// (see the top of the file). It reports whether the cache may be used:
// when SQLite cannot be asked, nothing is served from it.
//
// A read needs a check that started after the read began, or after its
// request began (portal.BeginReads): one that started earlier may have
// asked before a commit the reader knows of. So a request's reads share
// the check its first read made, and readers that come while a check
// runs wait for the next one, which the first of them starts, and share
// its answer: under a server's load, a few checks a millisecond serve
// every request.
func (d *DB) checkWrites(ctx context.Context) bool {
	from := time.Now()
	if t, ok := portal.ReadsBegan(ctx); ok && t.Before(from) {
		from = t
	}
	rc := &d.rc
	rc.checkMu.Lock()
	defer rc.checkMu.Unlock()
	rc.initCond()
	for !rc.checked || rc.lastStart.Before(from) {
		if rc.running {
			rc.checkDone.Wait()
			continue
		}
		rc.running = true
		start := time.Now()
		rc.checkMu.Unlock()
		ok := d.askVersion(ctx)
		rc.checkMu.Lock()
		rc.running, rc.checked, rc.lastStart, rc.lastOK = false, true, start, ok
		rc.checks++
		rc.checkDone.Broadcast()
	}
	return rc.lastOK
}

// initCond makes checkDone at its first use; checkMu is held.
func (rc *readCache) initCond() {
	if rc.checkDone == nil {
		rc.checkDone = sync.NewCond(&rc.checkMu)
	}
}

// askVersion asks SQLite for the data version and empties the cache when
// it changed; false when it cannot be asked. One runs at a time
// (checkWrites). It asks through the driver itself: a preview reads four
// cached things, and database/sql's own work was half of each check's
// 15 µs.
func (d *DB) askVersion(ctx context.Context) bool {
	rc := &d.rc
	if rc.closed {
		return false
	}
	if rc.check == nil {
		c, err := d.db.Conn(ctx)
		if err != nil {
			return false
		}
		rc.check = c
	}
	var v int64
	err := rc.check.Raw(func(dc any) error {
		if rc.stmt == nil {
			s, err := dc.(driver.Conn).Prepare(`PRAGMA data_version`)
			if err != nil {
				return err
			}
			rc.stmt = s.(driver.StmtQueryContext)
		}
		rows, err := rc.stmt.QueryContext(ctx, nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		row := []driver.Value{nil}
		if err := rows.Next(row); err != nil {
			return err
		}
		n, ok := row[0].(int64)
		if !ok {
			return fmt.Errorf("PRAGMA data_version gave %T", row[0])
		}
		v = n
		return nil
	})
	if err != nil {
		return false
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if v != rc.version {
		rc.emptyLocked()
		rc.version = v
	}
	return true
}

// closeReads releases the cache's connection once no check runs
// (Workspace.Close); no check starts after it.
func (d *DB) closeReads() {
	rc := &d.rc
	rc.checkMu.Lock()
	defer rc.checkMu.Unlock()
	rc.initCond()
	for rc.running {
		rc.checkDone.Wait()
	}
	rc.closed = true
	if rc.check == nil {
		return
	}
	if rc.stmt != nil {
		rc.check.Raw(func(any) error { return rc.stmt.(driver.Stmt).Close() })
	}
	rc.check.Close()
	rc.check, rc.stmt = nil, nil
}

// cached runs load unless the cache holds the value (get), and stores
// what load returned (put) unless a write came meanwhile.
func cached[T any](ctx context.Context, d *DB, get func(*readCache) (T, bool), load func() (T, error), put func(*readCache, T)) (T, error) {
	if !d.cachingReads() || !d.checkWrites(ctx) {
		return load()
	}
	rc := &d.rc
	rc.mu.Lock()
	if v, ok := get(rc); ok {
		rc.mu.Unlock()
		return v, nil
	}
	gen := rc.gen
	rc.mu.Unlock()
	v, err := load()
	if err != nil {
		return v, err
	}
	rc.mu.Lock()
	if rc.gen == gen {
		put(rc, v)
	}
	rc.mu.Unlock()
	return v, nil
}

// cachingReads reports whether the read cache is on.
func (d *DB) cachingReads() bool {
	d.rc.mu.Lock()
	defer d.rc.mu.Unlock()
	return d.rc.on
}

// cachedTypes returns every ticket type's name by id.
func (d *DB) cachedTypes(ctx context.Context) (map[string]string, error) {
	return cached(ctx, d,
		func(rc *readCache) (map[string]string, bool) { return rc.types, rc.types != nil },
		func() (map[string]string, error) { return scanPairs(d.query(ctx, `SELECT id, name FROM ticket_types`)) },
		func(rc *readCache, all map[string]string) { rc.types = all })
}

func (ds *DirectoryStore) cachedSchema(ctx context.Context) (*portal.Schema, error) {
	return cached(ctx, ds.DB,
		func(rc *readCache) (*portal.Schema, bool) { return rc.schema, rc.schema != nil },
		func() (*portal.Schema, error) { return ds.schema(ctx, ds.db) },
		func(rc *readCache, s *portal.Schema) { rc.schema = s })
}

func (ds *DirectoryStore) cachedUser(ctx context.Context, id string) (*portal.User, error) {
	return cached(ctx, ds.DB,
		func(rc *readCache) (*portal.User, bool) {
			c, ok := rc.users[id]
			return c.user, ok
		},
		func() (*portal.User, error) { return ds.userByID(ctx, id) },
		func(rc *readCache, u *portal.User) {
			if rc.users == nil || len(rc.users) >= maxCachedUsers {
				rc.users = make(map[string]cachedUser, 1024)
			}
			rc.users[id] = cachedUser{user: u}
		})
}

func (ds *DirectoryStore) cachedSubject(ctx context.Context, u *portal.User) (portal.Subject, error) {
	cs, err := cached(ctx, ds.DB,
		func(rc *readCache) ([]*portal.Company, bool) {
			c, ok := rc.users[u.ID]
			return c.companies, ok && c.hasSub
		},
		func() ([]*portal.Company, error) {
			sub, err := ds.subject(ctx, u)
			return sub.Companies, err
		},
		func(rc *readCache, cs []*portal.Company) {
			if c, ok := rc.users[u.ID]; ok {
				c.companies, c.hasSub = cs, true
				rc.users[u.ID] = c
			}
		})
	return portal.Subject{User: u, Companies: cs}, err
}

// genSchema is the attribute schema of the dataset generation gen, kept
// by every process, cache on or off (DirectoryStore.Schema): the schema
// changes only with an import, and every import bumps the generation.
type genSchema struct {
	mu     sync.Mutex
	gen    string
	schema *portal.Schema
}
