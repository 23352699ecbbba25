package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/app"
	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/wire"
	"portalstudio/frontend"
	"portalstudio/internal/testkit"
)

// syncServer is a real portal server on loopback, holding a small dataset
// and its first live version.
type syncServer struct {
	ws    *sqlite.Workspace
	url   string
	token string
}

var syncNow = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

const syncLiveDoc = `{"portal": {"enabled": true}, "identity_verification": true, "access": {"rule": {"all": []}},
  "visibility": {"restrict_to_own": true, "conditions": {"all": [{"attribute": "user.role", "operator": "equals", "value": "lead"}]}}}`

func newSyncServer(t *testing.T) *syncServer {
	t.Helper()
	p := testkit.StartPortal(t, testkit.PortalOptions{Records: []portal.Record{
		{Company: &portal.Company{ID: "c1", Name: "Examply"}},
		{User: &portal.User{ID: "u1", ExternalID: "ann", Email: "ann@examply.com", Name: "Ann", Role: "user", CompanyIDs: []string{"c1"}}},
		{User: &portal.User{ID: "u2", ExternalID: "ben", Email: "ben@examply.com", Name: "Ben", Role: "lead", CompanyIDs: []string{"c1"}}},
		{Ticket: &portal.Ticket{ID: "t1", TicketID: "101", Title: "T", Category: portal.CategoryCustomer, IsShared: true,
			ContactIDs: []string{"u1"}, CompanyID: "c1", TypeID: "ty", CreatedAt: syncNow, UpdatedAt: syncNow},
			TicketType: &portal.TicketType{ID: "ty", Name: "Bug", Category: portal.CategoryCustomer}},
	}, LiveDoc: syncLiveDoc, BaseURL: "https://help.example.com"})
	return &syncServer{ws: p.WS.(*sqlite.Workspace), url: p.URL, token: p.AdminToken}
}

func (s *syncServer) live(t *testing.T) *portal.Settings {
	t.Helper()
	st, err := s.ws.Live(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// emptyDesktop is the bindings over a new, empty desktop workspace.
func emptyDesktop(t *testing.T) *app.Bindings {
	t.Helper()
	ws, err := sqlite.Open(filepath.Join(t.TempDir(), "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return app.NewBindings(context.Background(), testkit.Service(t, ws), ws)
}

// editDraft changes the draft as the UI does (ApplySettings).
func editDraft(t *testing.T, b *app.Bindings, fn func(st *portal.Settings)) {
	t.Helper()
	st, err := b.Settings("draft")
	if err != nil {
		t.Fatal(err)
	}
	fn(st)
	if _, err := b.ApplySettings(st.Canonical()); err != nil {
		t.Fatal(err)
	}
}

// uiReads fails when the UI's wire type cannot read a binding's answer
// field for field.
func uiReads(t *testing.T, v, ui any) {
	t.Helper()
	b, _ := json.Marshal(v)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(ui); err != nil {
		t.Errorf("%T: the UI cannot read the binding's answer: %v", ui, err)
		return
	}
	again, _ := json.Marshal(ui)
	var x, y any
	json.Unmarshal(b, &x)
	json.Unmarshal(again, &y)
	if d := cmp.Diff(x, y); d != "" {
		t.Errorf("%T: the UI's copy differs (-binding +ui):\n%s", ui, d)
	}
}

// The desktop's sync against a real server: connect (a refused token
// remembers nothing), pull with the dataset, push, a conflict shown with
// its three-way difference and resolved by take, and failing portal tests
// overridden.
func TestSyncBindings(t *testing.T) {
	t.Setenv(remote.NoKeyringEnv, "1")
	srv := newSyncServer(t)
	b := emptyDesktop(t)

	st, err := b.SyncStatus()
	if err != nil || st.Connected || st.Server != "" || st.HasToken {
		t.Fatalf("a new workspace's sync status: %+v, %v", st, err)
	}
	uiReads(t, st, &wire.SyncStatus{})
	if _, err := b.SyncPush("", false); portal.ErrorCode(err) != portal.EPRECONDITION || !strings.Contains(err.Error(), "not connected") {
		t.Fatalf("push before connecting: %v", err)
	}
	if _, err := b.SyncConnect(srv.url, "wrong-token"); portal.ErrorCode(err) != portal.EUNAUTHORIZED {
		t.Fatalf("connect with a wrong token: %v", err)
	}
	if st, _ := b.SyncStatus(); st.Connected || st.Server != "" {
		t.Fatalf("a refused connect was remembered: %+v", st)
	}
	if _, err := b.SyncConnect("ftp://x", srv.token); portal.ErrorCode(err) != portal.EINVALID {
		t.Fatalf("connect to a bad URL: %v", err)
	}

	pr, err := b.SyncConnect(srv.url+"/", srv.token)
	if err != nil || pr.LiveVersion != 1 || !pr.DraftFollowed || pr.PortalURL != "https://help.example.com/portal/acme/" {
		t.Fatalf("connect: %+v, %v", pr, err)
	}
	uiReads(t, pr, &wire.PullResult{})
	st, err = b.SyncStatus()
	if err != nil || !st.Connected || st.Server != srv.url || st.TokenIn != remote.InFile || st.LiveVersion != 1 {
		t.Fatalf("after connecting: %+v, %v", st, err)
	}

	pr, err = b.SyncPull(true)
	if err != nil || pr.Data == nil || pr.Data.Contacts != 2 || pr.LiveVersion != 1 {
		t.Fatalf("pull with data: %+v, %v", pr, err)
	}
	uiReads(t, pr, &wire.PullResult{})
	if p, _ := b.Progress(); p.Running {
		t.Fatalf("the pull's job still runs: %+v", p)
	}

	ans, err := b.SyncPush("", false)
	if err != nil || !ans.Result.NothingToPush || ans.Refused != nil {
		t.Fatalf("push without edits: %+v, %v", ans, err)
	}
	editDraft(t, b, func(st *portal.Settings) { st.PreviewColumn = !st.PreviewColumn })
	ans, err = b.SyncPush("", false)
	if err != nil || ans.Refused != nil || !ans.Result.Pushed || ans.Result.Version != 2 {
		t.Fatalf("push: %+v, %v", ans, err)
	}
	if live := srv.live(t); live.Version != 2 {
		t.Fatalf("the push did not reach the server: version %d", live.Version)
	}
	uiReads(t, ans, &frontend.SyncPushAnswer{})

	t.Run("ConflictResolvedByTake", func(t *testing.T) {
		ctx := context.Background()
		// The server moves on: another admin restricts admins instead.
		other := srv.live(t).Clone()
		other.Visibility.Conditions = portal.AllOf(portal.Cond("user.role", portal.OpEquals, "admin"))
		other.Messenger.TicketsSpace = !other.Messenger.TicketsSpace
		if _, err := srv.ws.PutLive(ctx, other.Canonical(), 2); err != nil {
			t.Fatal(err)
		}
		// Meanwhile this draft restricts users.
		editDraft(t, b, func(st *portal.Settings) {
			st.Visibility.Conditions = portal.AllOf(portal.Cond("user.role", portal.OpEquals, "user"))
			st.PreviewColumn = !st.PreviewColumn
		})
		ans, err := b.SyncPush("", false)
		if err != nil || ans.Refused == nil || ans.Refused.Code != portal.ECONFLICT || ans.Result.Pushed {
			t.Fatalf("conflicting push: %+v, %v", ans, err)
		}
		m := ans.Result.Merge
		if m == nil || len(m.Conflicts) == 0 || ans.Result.LiveVersion != 3 {
			t.Fatalf("merge %+v", m)
		}
		var paths []string
		for _, c := range m.Conflicts {
			paths = append(paths, c.Path)
		}
		if !strings.Contains(strings.Join(paths, " "), "visibility") {
			t.Errorf("conflict paths %v: want the visibility fields", paths)
		}
		if !strings.Contains(m.LiveDiff, "+") || !strings.Contains(m.DraftDiff, "user.role") && !strings.Contains(m.DraftDiff, "\"user\"") {
			t.Errorf("diffs:\nlive:\n%s\ndraft:\n%s", m.LiveDiff, m.DraftDiff)
		}
		uiReads(t, ans, &frontend.SyncPushAnswer{})
		if live := srv.live(t); live.Version != 3 {
			t.Fatalf("a refused push changed the server: version %d", live.Version)
		}
		if _, err := b.SyncPush("mine", false); portal.ErrorCode(err) != portal.EINVALID {
			t.Fatalf("take mine: %v", err)
		}
		ans, err = b.SyncPush(remote.TakeDraft, false)
		if err != nil || ans.Refused != nil || !ans.Result.Pushed || ans.Result.Version != 4 {
			t.Fatalf("push taking the draft: %+v, %v", ans, err)
		}
		live := srv.live(t)
		if !strings.Contains(live.Visibility.Conditions.String(), `"user"`) || live.Messenger.TicketsSpace != other.Messenger.TicketsSpace {
			t.Fatalf("the merge lost a side: %+v", live)
		}
		if st, _ := b.SyncStatus(); st.LiveVersion != 4 {
			t.Fatalf("the live copy after the push: %+v", st)
		}
	})

	t.Run("FailingPortalTests", func(t *testing.T) {
		if _, err := b.AddCheck("ben@examply.com is restricted"); err != nil {
			t.Fatal(err)
		}
		editDraft(t, b, func(st *portal.Settings) { st.PreviewColumn = !st.PreviewColumn })
		ans, err := b.SyncPush("", false)
		if err != nil || ans.Refused == nil || ans.Refused.Code != portal.EPRECONDITION || ans.Result.Checks == nil || ans.Result.Checks.Failed != 1 {
			t.Fatalf("push with a failing test: %+v, %v", ans, err)
		}
		if srv.live(t).Version != 4 {
			t.Fatal("a blocked push reached the server")
		}
		ans, err = b.SyncPush("", true)
		if err != nil || !ans.Result.Pushed || !ans.Result.ChecksOverridden || ans.Result.Version != 5 {
			t.Fatalf("push anyway: %+v, %v", ans, err)
		}
		uiReads(t, ans, &frontend.SyncPushAnswer{})
	})
}
