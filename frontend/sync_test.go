package frontend

import (
	"strings"
	"testing"

	"portalstudio/backend/wire"
)

func wantIn(t *testing.T, h string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(h, w) {
			t.Errorf("missing %q in\n%s", w, h)
		}
	}
}

func TestSyncCard(t *testing.T) {
	t.Run("NotConnected", func(t *testing.T) {
		h := html(t, &syncCard{sync: syncState{Status: Loaded, Info: &wire.SyncStatus{}, Err: &WireError{Code: "unauthorized", Message: "the server refused the admin token"}}})
		wantIn(t, h, "Sync with the portal server", `id="sync-server"`, `id="sync-token"`, `type="password"`, "Connect and pull",
			"The server refused the admin token.")
		if strings.Contains(h, `id="sync-push"`) {
			t.Error("push offered before connecting")
		}
	})
	t.Run("Connected", func(t *testing.T) {
		h := html(t, &syncCard{
			sync: syncState{Status: Loaded, Info: &wire.SyncStatus{Server: "http://127.0.0.1:8080", HasToken: true, Connected: true, LiveVersion: 3}, Done: "Set live: the live settings are now version 3."},
		})
		wantIn(t, h, "Connected to", "http://127.0.0.1:8080", "version 3",
			`id="sync-pull"`, "with the dataset", "now version 3")
		if strings.Contains(h, `id="sync-token"`) || disabledCount(h) > 0 {
			t.Errorf("connected and idle: no token field, nothing disabled:\n%s", h)
		}
		// Going live is the Go live card's, the one way.
		if strings.Contains(h, `id="sync-push"`) || strings.Contains(h, "set live") {
			t.Errorf("the Sync card offers a second way to go live:\n%s", h)
		}
	})
	t.Run("Busy", func(t *testing.T) {
		h := html(t, &syncCard{sync: syncState{Info: &wire.SyncStatus{Server: "http://s", Connected: true}, Busy: "pull", Progress: JobProgress{Running: true, Done: 1000, Total: 2000}}})
		wantIn(t, h, "1,000 of 2,000 records", "spinner")
		// Pull and its checkbox (Go live waits too: TestGoLiveCard).
		if disabledCount(h) < 2 {
			t.Errorf("the buttons must wait while pulling:\n%s", h)
		}
	})
	t.Run("Conflict", func(t *testing.T) {
		ans := &SyncPushAnswer{Refused: &WireError{Code: "conflict", Message: "… --take draft"}, Result: &wire.PushResult{BaseVersion: 2, LiveVersion: 3, Merge: &wire.SyncMerge{
			LiveDiff:  "--- base\n+++ live\n@@ -1,3 +1,3 @@\n   \"visibility\": {\n-    \"value\": \"lead\"\n+    \"value\": \"admin\"\n",
			DraftDiff: "--- base\n+++ draft\n@@ -1,3 +1,3 @@\n   \"visibility\": {\n-    \"value\": \"lead\"\n+    \"value\": \"user\"\n",
			Conflicts: []wire.SyncConflict{
				{Path: "visibility.conditions", Base: []byte(`{"all": [{"attribute": "user.role", "operator": "equals", "value": "lead"}]}`),
					Live: []byte(`{"all": [{"attribute": "user.role", "operator": "equals", "value": "admin"}]}`), Draft: []byte(`{"all": [{"attribute": "user.custom.is_admin", "operator": "equals", "value": false}]}`)},
				{Path: "identity_verification", Base: []byte(`false`), Live: []byte(`true`), Draft: nil},
			},
			LiveSummary:  []string{"Ticket visibility: restricted are now users whose role is admin (was: users whose role is lead)."},
			DraftSummary: []string{"Ticket visibility: restricted are now users who match: Is admin is false (was: users whose role is lead)."},
		}}}
		h := html(t, &syncCard{sync: syncState{Info: &wire.SyncStatus{Server: "http://s", Connected: true}, Push: ans}})
		wantIn(t, h, "changed on the server (version 3)", "What changed on the server", "What changed in your draft",
			`id="sync-live-summary"`, `id="sync-draft-summary"`,
			"<li class=\"change\">Ticket visibility: restricted are now users whose role is admin (was: users whose role is lead).</li>",
			"<li class=\"change\">Ticket visibility: restricted are now users who match: Is admin is false (was: users whose role is lead).</li>",
			`id="sync-live-diff"`, `id="sync-draft-diff"`, "diff-line diff-add", "diff-line diff-del", "diff-line diff-hunk",
			"Ticket visibility: ", "the server has Role is admin", "; your draft has Is admin is false", "; it was Role is lead. ",
			"Identity verification: ", "the server has on", "; your draft has nothing", "; it was off. ",
			"Keep my draft", "Take the server&#39;s", "Push again")
		if strings.Contains(h, "attribute&#34;") || strings.Contains(h, "user.role") {
			t.Errorf("a conflict shows the rule's internal form:\n%s", h)
		}
		if strings.Contains(h, "--take") {
			t.Error("the CLI's flags leaked into the desktop's sentence")
		}
	})
	t.Run("FailingTests", func(t *testing.T) {
		rep := &wire.CheckReport{Failed: 1, Passed: 1, Results: []wire.CheckOutcome{
			{Check: wire.Check{ID: 1, Text: "ann@examply.com can access"}, Pass: true},
			{Check: wire.Check{ID: 2, Text: "ben@examply.com is restricted"}, Message: "Ben is not restricted."},
		}}
		c := &syncCard{sync: syncState{Info: &wire.SyncStatus{Server: "http://s", Connected: true}, Take: "draft",
			Push: &SyncPushAnswer{Refused: &WireError{Code: "precondition"}, Result: &wire.PushResult{Checks: rep}}}}
		h := html(t, c)
		wantIn(t, h, "1 of 2 portal tests fail", "ben@examply.com is restricted", "Ben is not restricted.", `id="sync-push-anyway"`, "Push anyway")
		if strings.Contains(h, "ann@examply.com can access") {
			t.Error("a passing test listed as failing")
		}
	})
}

// The Go live card: connected, the impact of the push, the portal tests'
// outcome and Go live; not connected, "Connect a server first" and the
// way to the Sync card; never a command to type.
func TestGoLiveCard(t *testing.T) {
	connected := syncState{Status: Loaded, Info: &wire.SyncStatus{Server: "http://127.0.0.1:8080", Connected: true, LiveVersion: 3}}
	t.Run("Connected", func(t *testing.T) {
		h := html(t, &goLiveCard{sync: connected,
			impact: impactState{Status: Loaded, Data: &wire.ImpactResult{Summary: "This change restricts 12 users."}},
			checks: checksState{Status: Loaded, Report: &wire.CheckReport{Passed: 2, Results: []wire.CheckOutcome{{Pass: true}, {Pass: true}}}},
		})
		wantIn(t, h, "Go live on http://127.0.0.1:8080", "Going live restricts 12 users.", "All 2 portal tests pass.", `id="go-live"`)
		if disabledCount(h) > 0 || strings.Contains(h, "go-live-connect") {
			t.Errorf("connected and idle:\n%s", h)
		}
	})
	t.Run("FailingTests", func(t *testing.T) {
		h := html(t, &goLiveCard{sync: connected,
			checks: checksState{Status: Loaded, Report: &wire.CheckReport{Failed: 1, Passed: 1, Results: []wire.CheckOutcome{{Pass: true}, {}}}},
		})
		wantIn(t, h, "go-live-checks fail", "1 of 2 portal tests fail")
	})
	t.Run("Pushing", func(t *testing.T) {
		s := connected
		s.Busy = "push"
		h := html(t, &goLiveCard{sync: s})
		wantIn(t, h, "pushing the draft")
		if disabledCount(h) != 1 {
			t.Errorf("Go live must wait while pushing:\n%s", h)
		}
	})
	t.Run("NotConnected", func(t *testing.T) {
		h := html(t, &goLiveCard{sync: syncState{Status: Loaded, Info: &wire.SyncStatus{}}})
		wantIn(t, h, "Connect a server first", `id="go-live-connect"`)
		if strings.Contains(h, `id="go-live"`) || strings.Contains(h, "portalstudio ") {
			t.Errorf("not connected:\n%s", h)
		}
	})
}

// disabledCount counts the disabled controls of rendered HTML.
func disabledCount(h string) int {
	return strings.Count(h, "disabled") - strings.Count(h, `disabled="false"`)
}

// The sync client's "cannot reach" names the command line's --server and
// `portalstudio serve`: the desktop says it without them.
func TestSyncErrorForTheDesktop(t *testing.T) {
	got := syncError(&WireError{Code: "precondition", Message: "cannot reach the portal server at http://127.0.0.1:9 (connection refused); check --server and that `portalstudio serve` runs there"})
	if got.Code != "precondition" || strings.Contains(got.Message, "--") || strings.Contains(got.Message, "portalstudio") ||
		!strings.HasPrefix(got.Message, "cannot reach the portal server at http://127.0.0.1:9 (connection refused); check the server's address") {
		t.Errorf("%+v", got)
	}
}
