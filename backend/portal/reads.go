package portal

import (
	"context"
	"time"
)

// One request's reads. A store that caches what it read (the SQLite
// workspace of the portal server or of the desktop app) checks, before
// it answers from its cache, that nothing was committed since it last
// looked. By default every read needs a check made after the read began:
// it sees every commit made before it. A request that makes several
// reads (a page: the settings, the user, their companies, the schema)
// may instead mark its context with BeginReads when it starts: each of
// its reads may then see the data as it was at any moment since, so one
// check made after the request began serves them all. Mark the context
// of one request only, never a long-lived one.

type readsKey struct{}

// BeginReads returns ctx marked with the present moment (see above).
func BeginReads(ctx context.Context) context.Context {
	return context.WithValue(ctx, readsKey{}, time.Now())
}

// ReadsBegan returns the moment BeginReads marked ctx with, if it did.
func ReadsBegan(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(readsKey{}).(time.Time)
	return t, ok
}
