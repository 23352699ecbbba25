package remote_test

import (
	"context"
	"portalstudio/internal/testkit"
	"strings"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
	"portalstudio/backend/wire"
)

// A failing portal test blocks the push (nothing reaches the server)
// unless the admin overrides it; passing tests let it through. A round
// trip through real workspaces on purpose: the studio runs the tests on
// the desktop's pulled copy of the server's data.
func TestPushRunsPortalTests(t *testing.T) {
	ctx := context.Background()
	s := newServer(t, nil)
	ws := desktop(t, s)
	svc := testkit.Service(t, ws)
	svc.Now = func() time.Time { return now }
	check := func(ctx context.Context, st *portal.Settings) (*wire.CheckReport, error) {
		return svc.CheckSettings(ctx, st, "pushed", time.Time{})
	}
	if _, err := svc.AddChecks(ctx, []string{"ann@examply.com can access", "ben@examply.com is not restricted"}); err != nil {
		t.Fatal(err)
	}
	// The draft keeps Ben (a lead) restricted: the second test fails.
	edit(t, ws, func(st *portal.Settings) { st.PreviewColumn = false })

	t.Run("Blocked", func(t *testing.T) {
		res, err := remote.Push(ctx, ws, s.client(t), remote.PushOptions{Check: check})
		if portal.ErrorCode(err) != portal.EPRECONDITION || !strings.Contains(err.Error(), "ben@examply.com is not restricted") ||
			!strings.Contains(err.Error(), "--override-checks") || strings.Contains(err.Error(), "ann@examply.com can access") {
			t.Fatalf("push with a failing test: %v", err)
		}
		if res.Pushed || res.Checks == nil || res.Checks.Failed != 1 || res.Checks.Passed != 1 {
			t.Fatalf("result %+v", res)
		}
		if live := s.live(t); live.Version != 1 || !live.PreviewColumn {
			t.Fatalf("a blocked push reached the server: version %d", live.Version)
		}
		if d, _ := settingsOf(t, ws); d.Version != 1 || d.PreviewColumn {
			t.Fatal("a blocked push changed the desktop's draft")
		}
	})
	t.Run("Overridden", func(t *testing.T) {
		res, err := remote.Push(ctx, ws, s.client(t), remote.PushOptions{Check: check, OverrideChecks: true})
		if err != nil || !res.Pushed || res.Version != 2 || !res.ChecksOverridden || res.Checks.Failed != 1 {
			t.Fatalf("overridden push: %+v, %v", res, err)
		}
		if s.live(t).PreviewColumn {
			t.Fatal("the overridden push did not reach the server")
		}
	})
	t.Run("Passing", func(t *testing.T) {
		edit(t, ws, func(st *portal.Settings) { st.Visibility.RestrictToOwn = false })
		res, err := remote.Push(ctx, ws, s.client(t), remote.PushOptions{Check: check})
		if err != nil || !res.Pushed || res.Version != 3 || res.ChecksOverridden || res.Checks.Failed != 0 || res.Checks.Passed != 2 {
			t.Fatalf("push with passing tests: %+v, %v", res, err)
		}
	})
}
