package testkit

import (
	"testing"

	"portalstudio/backend/audience"
	"portalstudio/backend/studio"
	"portalstudio/internal/teststore"
)

// Audiences returns the audience engine of a one-shot command over ws
// (with its data file beside a SQLite workspace), closed when the test
// ends.
func Audiences(tb testing.TB, ws teststore.Store) *audience.Engine {
	tb.Helper()
	return teststore.Audiences(tb, ws, false)
}

// Service returns the studio over ws and its audience engine.
func Service(tb testing.TB, ws teststore.Store) *studio.Service {
	tb.Helper()
	return studio.New(ws, Audiences(tb, ws))
}

// ServerAudiences returns the audience engine of a long-running process
// (a server) over ws, closed when the test ends.
func ServerAudiences(tb testing.TB, ws teststore.Store) *audience.Engine {
	tb.Helper()
	return teststore.Audiences(tb, ws, true)
}
