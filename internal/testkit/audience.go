package testkit

import (
	"testing"

	"portalstudio/backend/audience"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/studio"
)

// Audiences returns the audience engine of a one-shot command over ws,
// with its data file beside the workspace, closed when the test ends.
func Audiences(tb testing.TB, ws *sqlite.Workspace) *audience.Engine {
	tb.Helper()
	e := audience.NewEngine(ws, audience.Options{Path: ws.AudiencePath()})
	tb.Cleanup(e.Close)
	return e
}

// Service returns the studio over ws and its audience engine.
func Service(tb testing.TB, ws *sqlite.Workspace) *studio.Service {
	tb.Helper()
	return studio.New(ws, Audiences(tb, ws))
}

// ServerAudiences returns the audience engine of a long-running process
// (a server) over ws, closed when the test ends.
func ServerAudiences(tb testing.TB, ws *sqlite.Workspace) *audience.Engine {
	tb.Helper()
	e := audience.NewEngine(ws, audience.Options{Path: ws.AudiencePath(), Keep: true})
	tb.Cleanup(e.Close)
	return e
}
