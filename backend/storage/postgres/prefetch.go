package postgres

import (
	"context"
	"errors"
	"sync"

	"github.com/jackc/pgx/v5"

	"portalstudio/backend/portal"
)

// A portal request in one round trip before its page (portal.Prefetcher),
// and each replica's parsed copy of the live settings and the attribute
// schema.
//
// The copy is keyed by what proves it current: the live settings by their
// version and the row's xmin (the transaction that wrote it: every write,
// a sync's SetLive of the same version number too, makes a new one), the
// schema by the dataset's generation (every import, the only writer of
// attributes, moves it on in its own transaction). A read sends the keys
// it holds; the database answers the key it has now and, only when that
// is another, the document or the attributes, which are parsed and kept.
// The users last prefetched are kept the same way, keyed by the
// generation. So a cached value is used only when the database has just
// said, in the same round trip, that it is still the current one: a
// write or an import through another replica is seen by the next request, and the JSON of
// the settings is parsed once per change per replica, not per request.
// It is on when the server turns it on (CacheReads); the values it
// returns are shared and must not be modified.

type readCache struct {
	mu      sync.Mutex
	on      bool
	liveKey string
	live    *portal.Settings
	gen     string
	schema  *portal.Schema
	// users are the users last prefetched, each with the generation it
	// was read under (users and companies change only with an import).
	users map[string]cachedUser
}

// cachedUser is a user with their companies, read under the dataset's
// generation gen.
type cachedUser struct {
	gen string
	sub portal.Subject
}

// maxCachedUsers bounds the user cache; when full it starts over.
const maxCachedUsers = 20000

// user returns the held user with id and the generation it was read
// under ("" when none is held).
func (rc *readCache) user(id string) (cachedUser, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !rc.on {
		return cachedUser{}, false
	}
	c, ok := rc.users[id]
	return c, ok
}

// keepUser keeps a user read under the generation gen.
func (rc *readCache) keepUser(gen string, sub portal.Subject) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !rc.on {
		return
	}
	if rc.users == nil || len(rc.users) >= maxCachedUsers {
		rc.users = make(map[string]cachedUser, 1024)
	}
	rc.users[sub.User.ID] = cachedUser{gen: gen, sub: sub}
}

// enabled reports whether CacheReads turned the cache on.
func (rc *readCache) enabled() bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.on
}

// keys returns the keys of the values held ("" for none) and the values.
func (rc *readCache) keys() (liveKey string, live *portal.Settings, gen string, schema *portal.Schema) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !rc.on {
		return "", nil, "", nil
	}
	return rc.liveKey, rc.live, rc.gen, rc.schema
}

// keepLive keeps the live settings read under key.
func (rc *readCache) keepLive(key string, st *portal.Settings) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.on {
		rc.liveKey, rc.live = key, st
	}
}

// keepSchema keeps the schema read under the generation gen.
func (rc *readCache) keepSchema(gen string, sch *portal.Schema) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.on {
		rc.gen, rc.schema = gen, sch
	}
}

// liveKeySQL is the live settings' key; "" (no row) is the defaults'.
const liveKeySQL = `l.version || ':' || l.xmin::text`

// generationSQL is the dataset's generation (see generation).
const generationSQL = `coalesce((SELECT value FROM meta WHERE key = '` + generationKey + `'), '0')
		|| '/' || coalesce((SELECT value FROM meta WHERE key = '` + stampKey + `'), '')
		|| '/' || (SELECT count(*) FROM schema_migrations)`

// stateSQL reads, in one row, the session generation and whether session
// $1 was signed out, the secret named $2, the live settings' key and
// their document unless the key is $3, and the generation and the
// attributes unless it is $4.
const stateSQL = `SELECT e.generation, e.salt, EXISTS (SELECT 1 FROM revoked_sessions WHERE id = $1),
		(SELECT value FROM server_secrets WHERE name = $2),
		coalesce(` + liveKeySQL + `, ''), CASE WHEN coalesce(` + liveKeySQL + `, '') <> $3 THEN l.doc END, l.version,
		g.gen, g.gen <> $4, a.scopes, a.keys, a.kinds
	FROM (SELECT 1) one
	LEFT JOIN session_epoch e ON e.id = 1
	LEFT JOIN settings l ON l.name = 'live'
	CROSS JOIN (SELECT ` + generationSQL + ` AS gen) g
	LEFT JOIN LATERAL (SELECT array_agg(scope ORDER BY scope COLLATE "C", key COLLATE "C") AS scopes,
			array_agg(key ORDER BY scope COLLATE "C", key COLLATE "C") AS keys,
			array_agg(kind ORDER BY scope COLLATE "C", key COLLATE "C") AS kinds
		FROM attributes WHERE g.gen <> $4) a ON true`

// settingsRow is the live settings as stateSQL or liveSQL read them.
type settingsRow struct {
	key     string
	doc     *string
	version *int
}

// resolve returns the live settings: the held ones when the key is
// theirs, else the document parsed (and kept).
func (s *Store) resolveLive(r settingsRow, heldKey string, held *portal.Settings) (*portal.Settings, error) {
	if r.key == "" {
		return portal.DefaultSettings(), nil
	}
	if r.doc == nil {
		if held == nil || heldKey != r.key {
			return nil, errors.New("live settings: the database sent no document for a key not held")
		}
		return held, nil
	}
	var st portal.Settings
	if err := st.UnmarshalJSON([]byte(*r.doc)); err != nil {
		return nil, err
	}
	if r.version != nil {
		st.Version = *r.version
	}
	s.rc.keepLive(r.key, &st)
	return &st, nil
}

// resolveSchema returns the schema: the held one when the generation is
// its, else the one made of the attributes read (and kept).
func (s *Store) resolveSchema(gen string, changed bool, scopes, keys, kinds []string, held *portal.Schema) (*portal.Schema, error) {
	if !changed {
		if held == nil {
			return nil, errors.New("schema: the database sent no attributes for a generation not held")
		}
		return held, nil
	}
	if len(scopes) != len(keys) || len(keys) != len(kinds) {
		return nil, errors.New("schema: the attributes came back uneven")
	}
	custom := make([]portal.Attribute, len(keys))
	for i := range keys {
		custom[i] = portal.Attribute{Scope: portal.Scope(scopes[i]), Field: keys[i], Kind: portal.ValueKind(kinds[i])}
	}
	sch := portal.NewSchema(custom)
	s.rc.keepSchema(gen, sch)
	return sch, nil
}

// heldKeys are the keys sent for the values held: a key no database has
// ("-") when none is, so that the database sends them.
func heldKeys(liveKey string, live *portal.Settings, gen string, schema *portal.Schema) (string, string) {
	if live == nil {
		liveKey = "-"
	}
	if schema == nil {
		gen = "-"
	}
	return liveKey, gen
}

// Prefetch reads what a signed-in portal request needs before its page
// in one round trip (portal.Prefetcher): one batch of three statements,
// the state (session, secret, live settings, schema), the user with their
// companies' ids, and their companies. With CacheReads the users last
// prefetched are kept with the dataset's generation they were read under
// (only an import changes users and companies, and it moves the
// generation on): the user's statements send that generation and return
// nothing while it is still the current one.
func (s *Store) Prefetch(ctx context.Context, sessionID, userID string) (*portal.Prefetched, error) {
	if !storable(sessionID) {
		sessionID = "" // no session has it
	}
	heldLiveKey, heldLive, heldGen, heldSchema := s.rc.keys()
	sendLive, sendGen := heldKeys(heldLiveKey, heldLive, heldGen, heldSchema)
	batch := &pgx.Batch{}
	batch.Queue(stateSQL, sessionID, portal.SecretIdentity, sendLive, sendGen)
	known := storable(userID)
	held, isHeld := s.rc.user(userID)
	sendUserGen := "-"
	if isHeld {
		sendUserGen = held.gen
	}
	if known {
		// The user and their companies only when the dataset's
		// generation is not the one the held copy was read under.
		batch.Queue(userByIDSQL+` AND (`+generationSQL+`) <> $2`, userID, sendUserGen)
		batch.Queue(subjectSelect+` AND (`+generationSQL+`) <> $2 ORDER BY m.position, m.company_id`, userID, sendUserGen)
	}
	br := s.pool.SendBatch(ctx, batch)
	defer br.Close()

	pre := &portal.Prefetched{}
	var gen *int64
	var live settingsRow
	var dataGen string
	var schemaChanged bool
	var scopes, keys, kinds []string
	if err := br.QueryRow().Scan(&gen, &pre.Epoch.Salt, &pre.Revoked, &pre.IdentitySecret,
		&live.key, &live.doc, &live.version, &dataGen, &schemaChanged, &scopes, &keys, &kinds); err != nil {
		return nil, dbError(err)
	}
	if gen != nil {
		pre.Epoch.Generation = *gen
	} else {
		pre.Epoch.Salt = nil
	}
	var err error
	if pre.Live, err = s.resolveLive(live, heldLiveKey, heldLive); err != nil {
		return nil, err
	}
	if pre.Schema, err = s.resolveSchema(dataGen, schemaChanged, scopes, keys, kinds, heldSchema); err != nil {
		return nil, err
	}
	if !known {
		return pre, nil
	}
	if isHeld && held.gen == dataGen {
		// Current: the state's generation is the one it was read under.
		pre.User, pre.Subject = held.sub.User, held.sub
		return pre, nil
	}
	var companies []string
	u, err := scanUser(suffixRow{row: br.QueryRow(), suffix: []any{&companies}})
	if errors.Is(err, pgx.ErrNoRows) {
		return pre, nil
	}
	if err != nil {
		return nil, dbError(err)
	}
	if len(companies) > 0 {
		u.CompanyIDs = companies
	}
	pre.User = u
	pre.Subject = portal.Subject{User: u}
	rows, err := br.Query()
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCompany(rows)
		if err != nil {
			return nil, dbError(err)
		}
		pre.Subject.Companies = append(pre.Subject.Companies, c)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err)
	}
	// Kept under the generation the state statement read: the user's
	// statements ran after it, so they read that generation's data or a
	// later one's, which a later request never takes for that one.
	s.rc.keepUser(dataGen, pre.Subject)
	return pre, nil
}

// liveSQL reads the live settings' key, and their document unless the
// key is $1.
const liveSQL = `SELECT coalesce(` + liveKeySQL + `, ''), CASE WHEN coalesce(` + liveKeySQL + `, '') <> $1 THEN l.doc END, l.version
	FROM (SELECT 1) one LEFT JOIN settings l ON l.name = 'live'`

// cachedLive returns the live settings through the cache (one small
// statement; the document only when it changed).
func (s *Store) cachedLive(ctx context.Context) (*portal.Settings, error) {
	heldKey, held, _, _ := s.rc.keys()
	send := heldKey
	if held == nil {
		send = "-"
	}
	var r settingsRow
	if err := s.pool.QueryRow(ctx, liveSQL, send).Scan(&r.key, &r.doc, &r.version); err != nil {
		return nil, dbError(err)
	}
	return s.resolveLive(r, heldKey, held)
}

// schemaSQL reads the generation, and the attributes unless it is $1.
const schemaSQL = `SELECT g.gen, g.gen <> $1, a.scopes, a.keys, a.kinds
	FROM (SELECT ` + generationSQL + ` AS gen) g
	LEFT JOIN LATERAL (SELECT array_agg(scope ORDER BY scope COLLATE "C", key COLLATE "C") AS scopes,
			array_agg(key ORDER BY scope COLLATE "C", key COLLATE "C") AS keys,
			array_agg(kind ORDER BY scope COLLATE "C", key COLLATE "C") AS kinds
		FROM attributes WHERE g.gen <> $1) a ON true`

// cachedSchema returns the schema through the cache (one small
// statement; the attributes only when the generation moved).
func (s *Store) cachedSchema(ctx context.Context) (*portal.Schema, error) {
	_, _, heldGen, held := s.rc.keys()
	send := heldGen
	if held == nil {
		send = "-"
	}
	var gen string
	var changed bool
	var scopes, keys, kinds []string
	if err := s.pool.QueryRow(ctx, schemaSQL, send).Scan(&gen, &changed, &scopes, &keys, &kinds); err != nil {
		return nil, dbError(err)
	}
	return s.resolveSchema(gen, changed, scopes, keys, kinds, held)
}
