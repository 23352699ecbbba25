package sqlite

import (
	"context"
	"sync"
	"time"

	"portalstudio/backend/portal"
)

// The read cache of a long-running server: the live settings and the
// attribute schema, parsed once per change instead of on every request,
// and the users last asked for with their companies (a signed-in user
// sends many requests). Every transaction of the stores over this DB (d.tx:
// settings, imports, snapshots — every write goes through it) empties
// it, and a read that raced with a write never stores what it read. A
// write by another process (a command run on the server's file) is seen
// within staleAfter: at most that often, a read checks a stamp of the live
// settings and of the dataset's generation (one indexed query) and empties
// the cache when it changed. It is off unless CacheReads turns it on (the
// portal server does).

// maxCachedUsers bounds the user cache; when full it starts over.
const maxCachedUsers = 20000

// staleAfter is how long the cache may go without checking for writes by
// other processes.
const staleAfter = 100 * time.Millisecond

type readCache struct {
	mu     sync.Mutex
	on     bool
	gen    uint64
	live   *portal.Settings
	schema *portal.Schema
	users  map[string]cachedUser

	stamp    string    // of the live settings and the generation
	checked  time.Time // when stamp was last read
	checking bool
}

// cachedUser is a user with their companies as rules see them.
type cachedUser struct {
	user      *portal.User
	companies []*portal.Company
	hasSub    bool
}

// CacheReads turns the read cache on: call it only when this process is
// the only writer of the workspace (the portal server). Values it returns
// are shared: callers must not modify them.
func (d *DB) CacheReads() {
	d.rc.mu.Lock()
	defer d.rc.mu.Unlock()
	d.rc.on = true
}

// invalidateReads empties the cache; d.tx calls it after every commit.
func (d *DB) invalidateReads() {
	d.rc.mu.Lock()
	defer d.rc.mu.Unlock()
	d.rc.gen++
	d.rc.live, d.rc.schema, d.rc.users = nil, nil, nil
}

// checkStamp empties the cache when another process wrote since the
// last check, at most every staleAfter.
func (d *DB) checkStamp(ctx context.Context) {
	rc := &d.rc
	rc.mu.Lock()
	if !rc.on || rc.checking || time.Since(rc.checked) < staleAfter {
		rc.mu.Unlock()
		return
	}
	rc.checking = true
	rc.mu.Unlock()
	var stamp string
	err := d.db.QueryRowContext(ctx, `SELECT coalesce((SELECT version || ':' || updated_at || ':' || length(doc) FROM settings WHERE name = 'live'), '-')
		|| '/' || coalesce((SELECT value FROM meta WHERE key = ?), '0')`, generationKey).Scan(&stamp)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.checking = false
	if err != nil {
		return
	}
	rc.checked = time.Now()
	if stamp != rc.stamp {
		rc.gen++
		rc.live, rc.schema, rc.users = nil, nil, nil
		rc.stamp = stamp
	}
}

// cached runs load unless the cache holds the value (get), and stores
// what load returned (put) unless a write came meanwhile.
func cached[T any](d *DB, get func(*readCache) (T, bool), load func() (T, error), put func(*readCache, T)) (T, error) {
	rc := &d.rc
	rc.mu.Lock()
	if !rc.on {
		rc.mu.Unlock()
		return load()
	}
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

func (ds *DirectoryStore) cachedSchema(ctx context.Context) (*portal.Schema, error) {
	return cached(ds.DB,
		func(rc *readCache) (*portal.Schema, bool) { return rc.schema, rc.schema != nil },
		func() (*portal.Schema, error) { return ds.schema(ctx, ds.db) },
		func(rc *readCache, s *portal.Schema) { rc.schema = s })
}

func (ds *DirectoryStore) cachedUser(ctx context.Context, id string) (*portal.User, error) {
	ds.checkStamp(ctx)
	return cached(ds.DB,
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
	cs, err := cached(ds.DB,
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
