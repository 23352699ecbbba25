package remote_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/internal/fake"
	"portalstudio/internal/testkit"
)

// Most tests here are round trips, and use real workspaces on purpose: a
// desktop's SQLite workspace pulls from and pushes to a real portal server
// (itself over a real workspace) on loopback, and what the sync relies on
// is the stores' own behaviour — the draft keeps its base version through
// edits, a snapshot replaces the dataset in one transaction (a cut stream
// changes nothing), the token never lands in the workspace file. Where
// the desktop's store is not the point (a push's own logic, the vault),
// the desktop is a fake (internal/fake.Desktop).

var now = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// liveDoc is the server's first live version.
const liveDoc = `{"portal": {"enabled": true}, "identity_verification": true, "access": {"rule": {"all": []}},
  "visibility": {"restrict_to_own": true, "conditions": {"all": [{"attribute": "user.role", "operator": "equals", "value": "lead"}]}}}`

func dataset() []portal.Record {
	recs := []portal.Record{
		{Company: &portal.Company{ID: "c1", Name: "Examply", Custom: map[string]portal.Value{"seats": {Kind: portal.KindNumber, Num: 12}}}},
		{User: &portal.User{ID: "u1", ExternalID: "ann", Email: "ann@examply.com", Name: "Ann", Role: "user", CompanyIDs: []string{"c1"}}},
		{User: &portal.User{ID: "u2", ExternalID: "ben", Email: "ben@examply.com", Name: "Ben", Role: "lead", CompanyIDs: []string{"c1"}}},
	}
	for i, c := range []string{"u1", "u2", "u1"} {
		recs = append(recs, portal.Record{Ticket: &portal.Ticket{ID: "t" + string(rune('1'+i)), TicketID: "10" + string(rune('1'+i)), Title: "T",
			Category: portal.CategoryCustomer, IsShared: true, ContactIDs: []string{c}, CompanyID: "c1", TypeID: "ty",
			CreatedAt: now, UpdatedAt: now.Add(time.Duration(i) * time.Minute),
			Parts: []portal.Part{{ID: "p", PartType: "comment", Body: "<p>hi</p>", AuthorName: "Ann", CreatedAt: now}}},
			TicketType: &portal.TicketType{ID: "ty", Name: "Bug", Category: portal.CategoryCustomer}})
	}
	return recs
}

// portalServer is a real portal server on loopback.
type portalServer struct {
	ws    *sqlite.Workspace
	url   string
	token string
	h     http.Handler
}

// newServer starts a server holding the dataset and liveDoc (version 1).
// wrap, when given, stands in front of its handler.
func newServer(t *testing.T, wrap func(http.Handler) http.Handler) *portalServer {
	t.Helper()
	p := testkit.StartPortal(t, testkit.PortalOptions{Records: dataset(), LiveDoc: liveDoc,
		BaseURL: "https://help.example.com", Wrap: wrap})
	return &portalServer{ws: p.WS.(*sqlite.Workspace), url: p.URL, token: p.AdminToken, h: p.Handler}
}

func (s *portalServer) client(t *testing.T) *remote.Client {
	t.Helper()
	c, err := remote.NewClient(s.url, s.token)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (s *portalServer) live(t *testing.T) *portal.Settings {
	t.Helper()
	st, err := s.ws.Live(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// desktop is a desktop workspace that pulled the server's settings and
// data.
func desktop(t *testing.T, s *portalServer) *sqlite.Workspace {
	t.Helper()
	ws, err := sqlite.Open(filepath.Join(t.TempDir(), "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	res, err := remote.Pull(context.Background(), ws, s.client(t), remote.PullOptions{Data: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.LiveVersion != s.live(t).Version || !res.DraftFollowed || res.Data == nil || res.Data.Tickets != 3 {
		t.Fatalf("pull %+v", res)
	}
	return ws
}

// edit changes a desktop's draft as `settings apply` does.
func edit(t *testing.T, ws *sqlite.Workspace, fn func(st *portal.Settings)) {
	t.Helper()
	st, err := ws.Draft(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fn(st)
	if _, err := ws.ApplyDraft(context.Background(), st.Canonical()); err != nil {
		t.Fatal(err)
	}
}

func settingsOf(t *testing.T, ws *sqlite.Workspace) (draft, live *portal.Settings) {
	t.Helper()
	d, err := ws.Draft(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	l, err := ws.Live(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d, l
}

func TestPullData(t *testing.T) {
	s := newServer(t, nil)
	ws := desktop(t, s)
	c, _ := ws.Counts(context.Background())
	sc, _ := s.ws.Counts(context.Background())
	if c != sc {
		t.Fatalf("desktop counts %+v, server %+v", c, sc)
	}
	draft, live := settingsOf(t, ws)
	if live.Version != 1 || draft.Version != 1 || !draft.Equal(s.live(t)) || live.Portal.URL != "https://help.example.com/portal/acme/" {
		t.Fatalf("after pull: draft %+v, live %+v", draft, live)
	}
	// The desktop now makes portal URLs with the server's base and slug.
	env, _ := ws.Env(context.Background())
	if env.NewPortalURL != "https://help.example.com/portal/acme/" {
		t.Fatalf("desktop portal URL %q", env.NewPortalURL)
	}
	u, err := ws.FindUser(context.Background(), "ann@examply.com")
	if err != nil || len(u.CompanyIDs) != 1 {
		t.Fatalf("the desktop's copy of Ann: %+v, %v", u, err)
	}
}

// A cut snapshot stream changes nothing.
func TestPullDataCut(t *testing.T) {
	s := newServer(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/api/v1/snapshot" {
				h.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			body := rec.Body.String()
			lines := strings.SplitAfter(body, "\n")
			w.Header().Set("Content-Type", "application/x-ndjson")
			// Whole lines only: the JSON is fine, records are missing.
			io.WriteString(w, strings.Join(lines[:len(lines)-3], ""))
		})
	})
	ws, err := sqlite.Open(filepath.Join(t.TempDir(), "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	testkit.ImportRecords(t, ws, []portal.Record{{User: &portal.User{ID: "local", Email: "local@example.com"}}})
	_, err = remote.Pull(context.Background(), ws, s.client(t), remote.PullOptions{Data: true})
	if err == nil || !strings.Contains(err.Error(), "cut short") {
		t.Fatalf("pull of a cut snapshot: %v", err)
	}
	if c, _ := ws.Counts(context.Background()); c.Users != 1 || c.Tickets != 0 {
		t.Fatalf("a cut snapshot changed the dataset: %+v", c)
	}
}

// Two desktops push from the same base at once: exactly one wins and the
// other is told the settings moved on; its push then merges, and nothing
// of either is lost.
func TestConcurrentPushes(t *testing.T) {
	ctx := context.Background()
	s := newServer(t, nil)
	a, b := desktop(t, s), desktop(t, s)
	edit(t, a, func(st *portal.Settings) { st.PreviewColumn = false })
	edit(t, b, func(st *portal.Settings) { st.Messenger.TicketsSpace = true })

	drafts := []*portal.Settings{}
	for _, ws := range []*sqlite.Workspace{a, b} {
		d, _ := settingsOf(t, ws)
		drafts = append(drafts, d)
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range drafts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.client(t).Put(ctx, drafts[i], 1)
		}()
	}
	wg.Wait()
	winner, loser := -1, -1
	for i, err := range errs {
		var stale *portal.StaleError
		switch {
		case err == nil:
			winner = i
		case errors.As(err, &stale) && stale.Current.Version == 2:
			loser = i
		default:
			t.Fatalf("push %d: %v", i, err)
		}
	}
	if winner < 0 || loser < 0 || s.live(t).Version != 2 {
		t.Fatalf("errors %v; want exactly one winner", errs)
	}
	// The winner's desktop learns of its own push by pulling; the loser
	// pushes again through sync, which merges.
	loserWS := []*sqlite.Workspace{a, b}[loser]
	res, err := remote.Push(ctx, loserWS, s.client(t), remote.PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pushed || res.Version != 3 || res.Merge == nil || len(res.Merge.Conflicts) != 0 || len(res.Merge.Changes) != 2 || res.LiveVersion != 2 {
		t.Fatalf("the loser's push %+v", res)
	}
	live := s.live(t)
	if live.Version != 3 || live.PreviewColumn || !live.Messenger.TicketsSpace {
		t.Fatalf("server's live settings lost a change: %s", live.Canonical())
	}
	draft, local := settingsOf(t, loserWS)
	if draft.Version != 3 || local.Version != 3 || !draft.Equal(live) || !local.Equal(live) {
		t.Fatalf("the loser's workspace after the merge: draft v%d, live v%d", draft.Version, local.Version)
	}
}

func TestConflictingPush(t *testing.T) {
	ctx := context.Background()
	s := newServer(t, nil)
	a, b := desktop(t, s), desktop(t, s)
	everyone := `{"all": []}`
	edit(t, a, func(st *portal.Settings) {
		st.Access.Rule = rule(t, `{"all": [{"attribute": "user.role", "operator": "equals", "value": "user"}]}`)
	})
	if res, err := remote.Push(ctx, a, s.client(t), remote.PushOptions{}); err != nil || res.Version != 2 || res.Merge != nil {
		t.Fatalf("a's push: %+v, %v", res, err)
	}
	edit(t, b, func(st *portal.Settings) {
		st.Access.Rule = rule(t, `{"all": [{"attribute": "company.custom.seats", "operator": "greater_than", "value": 10}]}`)
		st.Visibility.RestrictToOwn = false
	})
	bDraft, bLive := settingsOf(t, b)

	res, err := remote.Push(ctx, b, s.client(t), remote.PushOptions{})
	if portal.ErrorCode(err) != portal.ECONFLICT || !strings.Contains(err.Error(), "access.rule") || !strings.Contains(err.Error(), "--take") {
		t.Fatalf("a conflicting push: %v", err)
	}
	if res.Merge == nil || len(res.Merge.Conflicts) != 1 || res.Merge.Conflicts[0].Path != "access.rule" || res.Merge.LiveDiff == "" || res.Merge.DraftDiff == "" {
		t.Fatalf("merge %+v", res.Merge)
	}
	// Nothing changed, here or there.
	if live := s.live(t); live.Version != 2 || !live.Visibility.RestrictToOwn {
		t.Fatalf("a refused push changed the server: %s", live.Canonical())
	}
	if d, l := settingsOf(t, b); !d.Equal(bDraft) || d.Version != bDraft.Version || l.Version != bLive.Version {
		t.Fatal("a refused push changed the desktop")
	}

	res, err = remote.Push(ctx, b, s.client(t), remote.PushOptions{Take: remote.TakeDraft})
	if err != nil || !res.Pushed || res.Version != 3 {
		t.Fatalf("push --take draft: %+v, %v", res, err)
	}
	live := s.live(t)
	if !strings.Contains(live.Access.Rule.String(), "seats") || live.Visibility.RestrictToOwn {
		t.Fatalf("after --take draft: %s", live.Canonical())
	}

	// a's draft is still on version 2; a takes the live side.
	edit(t, a, func(st *portal.Settings) {
		st.Access.Rule = rule(t, everyone)
		st.PreviewColumn = false
	})
	res, err = remote.Push(ctx, a, s.client(t), remote.PushOptions{Take: remote.TakeLive})
	if err != nil || res.Version != 4 {
		t.Fatalf("push --take live: %+v, %v", res, err)
	}
	live = s.live(t)
	if !strings.Contains(live.Access.Rule.String(), "seats") || live.PreviewColumn || live.Visibility.RestrictToOwn {
		t.Fatalf("after --take live: %s", live.Canonical())
	}
}

// A pull keeps a draft with local edits; the push that follows merges it
// from the version it was made on (fetched from the server's history).
func TestPullKeepsEditedDraft(t *testing.T) {
	ctx := context.Background()
	s := newServer(t, nil)
	a, b := desktop(t, s), desktop(t, s)
	edit(t, b, func(st *portal.Settings) { st.Messenger.TicketsSpace = true })
	if _, err := remote.Push(ctx, b, s.client(t), remote.PushOptions{}); err != nil {
		t.Fatal(err)
	}
	edit(t, a, func(st *portal.Settings) { st.PreviewColumn = false })
	res, err := remote.Pull(ctx, a, s.client(t), remote.PullOptions{})
	if err != nil || !res.DraftKept || res.DraftFollowed || res.LiveVersion != 2 || res.PreviousVersion != 1 {
		t.Fatalf("pull with local edits: %+v, %v", res, err)
	}
	draft, live := settingsOf(t, a)
	if draft.Version != 1 || draft.PreviewColumn || draft.Messenger.TicketsSpace || live.Version != 2 || !live.Messenger.TicketsSpace {
		t.Fatalf("after pull: draft v%d %s live v%d", draft.Version, draft.Canonical(), live.Version)
	}
	// Had push taken the local live copy (version 2) as the base, the
	// draft would turn tickets_space back off.
	pres, err := remote.Push(ctx, a, s.client(t), remote.PushOptions{})
	if err != nil || pres.Version != 3 {
		t.Fatalf("push: %+v, %v", pres, err)
	}
	if l := s.live(t); l.PreviewColumn || !l.Messenger.TicketsSpace {
		t.Fatalf("the push lost a change: %s", l.Canonical())
	}
	// Nothing left to push.
	if pres, err := remote.Push(ctx, a, s.client(t), remote.PushOptions{}); err != nil || !pres.NothingToPush {
		t.Fatalf("second push: %+v, %v", pres, err)
	}
	// A pull with no local edits moves the draft along.
	if res, err := remote.Pull(ctx, b, s.client(t), remote.PullOptions{}); err != nil || !res.DraftFollowed {
		t.Fatalf("b's pull: %+v, %v", res, err)
	}
	if d, _ := settingsOf(t, b); d.Version != 3 || d.PreviewColumn {
		t.Fatalf("b's draft after pull: %s", d.Canonical())
	}
}

// A pull that keeps a draft with local edits gives it the server's portal
// URL (the server answers there), keeping every other edit and the draft's
// base version, and records where the server's portal is. (The desktop is
// a fake: the pull's logic is the point.)
func TestPullGivesKeptDraftServersURL(t *testing.T) {
	ctx := context.Background()
	s := newServer(t, nil)
	draft := portal.DefaultSettings()
	draft.Portal.Enabled, draft.Portal.URL, draft.PreviewColumn = true, "http://127.0.0.1:8080/portal/desk/", false
	k := &fake.Kept{Draft: draft}
	ws := fake.Desktop(k, filepath.Join(t.TempDir(), "desk.db"))
	var applied []*portal.Settings
	ws.ApplyDraftFn = func(_ context.Context, doc []byte) (*portal.Settings, error) {
		var st portal.Settings
		if err := st.UnmarshalJSON(doc); err != nil {
			return nil, err
		}
		st.Version = k.Draft.Version // as a store does: the draft keeps its base
		k.Draft = st.Clone()
		applied = append(applied, &st)
		return &st, nil
	}
	res, err := remote.Pull(ctx, ws, s.client(t), remote.PullOptions{})
	if err != nil || !res.DraftKept || res.LiveVersion != 1 {
		t.Fatalf("pull: %+v, %v", res, err)
	}
	if len(applied) != 1 {
		t.Fatalf("the draft was applied %d times; want once", len(applied))
	}
	if d := k.Draft; d.Portal.URL != "https://help.example.com/portal/acme/" || d.PreviewColumn || !d.Portal.Enabled || d.Version != 0 {
		t.Fatalf("the kept draft: %s (version %d); want the server's URL, the local edits and base version 0", d.Canonical(), d.Version)
	}
	if k.Live.Version != 1 || k.BaseURL != "https://help.example.com" || k.Slug != "acme" {
		t.Fatalf("the desktop after the pull: live v%d, server %q %q", k.Live.Version, k.BaseURL, k.Slug)
	}
}

// A workspace that never synced pushes a draft that enabled the portal
// with a URL of its own: the server keeps its own portal URL, and the
// desktop takes it. (The desktop is a fake: the push's logic is the point;
// the store's own URL is tested in storage/sqlite.)
func TestPushFromNewWorkspace(t *testing.T) {
	ctx := context.Background()
	s := newServer(t, nil)
	draft, err := portal.ParseSettings([]byte(`{"portal": {"enabled": true}, "identity_verification": true, "preview_column": false}`),
		portal.Env{Schema: portal.NewSchema(nil), CustomerTicketTypes: 1, NewPortalURL: "http://127.0.0.1:8080/portal/fresh/"})
	if err != nil || draft.Portal.URL != "http://127.0.0.1:8080/portal/fresh/" {
		t.Fatalf("the local draft: %+v, %v", draft, err)
	}
	k := &fake.Kept{Draft: draft}
	ws := fake.Desktop(k, filepath.Join(t.TempDir(), "fresh.db"))
	res, err := remote.Push(ctx, ws, s.client(t), remote.PushOptions{Take: remote.TakeDraft})
	if err != nil || res.Version != 2 {
		t.Fatalf("push: %+v, %v", res, err)
	}
	live := s.live(t)
	if live.Portal.URL != "https://help.example.com/portal/acme/" || live.PreviewColumn {
		t.Fatalf("live %s", live.Canonical())
	}
	if k.Live.Version != 2 || k.Draft.Version != 2 || !k.Live.Equal(live) || !k.Draft.Equal(live) {
		t.Fatalf("the desktop after the push: draft %s live %s; want the server's version 2", k.Draft.Canonical(), k.Live.Canonical())
	}
}

// A draft the desktop took as valid and the server does not (it names an
// attribute only the desktop's data has) is refused with the server's
// problems, and changes nothing on either side. (The desktop is a fake:
// the server's answer is the point.)
func TestPushInvalid(t *testing.T) {
	ctx := context.Background()
	s := newServer(t, nil)
	live := s.live(t)
	draft := live.Clone()
	draft.Access.Rule = rule(t, `{"all": [{"attribute": "user.custom.plan", "operator": "equals", "value": "gold"}]}`)
	k := &fake.Kept{Draft: draft, Live: live}
	ws := fake.Desktop(k, filepath.Join(t.TempDir(), "desk.db"))
	_, err := remote.Push(ctx, ws, s.client(t), remote.PushOptions{})
	var pe *portal.Error
	if !errors.As(err, &pe) || pe.Code != portal.EINVALID || len(pe.Problems) == 0 || pe.Problems[0].Path != "access.rule.all[0].attribute" {
		t.Fatalf("push of a document the server finds invalid: %#v", err)
	}
	if s.live(t).Version != 1 {
		t.Fatal("an invalid push changed the server")
	}
	if !k.Draft.Equal(draft) || k.Draft.Version != 1 || k.Live.Version != 1 {
		t.Fatal("an invalid push changed the desktop")
	}
}

func TestWrongToken(t *testing.T) {
	s := newServer(t, nil)
	c, _ := remote.NewClient(s.url, "wrong")
	_, err := c.Live(context.Background())
	if portal.ErrorCode(err) != portal.EUNAUTHORIZED || !strings.Contains(err.Error(), "--token") {
		t.Fatalf("wrong token: %v", err)
	}
	if _, err := remote.NewClient("ftp://x", "t"); portal.ErrorCode(err) != portal.EINVALID {
		t.Fatalf("ftp URL: %v", err)
	}
	c, _ = remote.NewClient("http://127.0.0.1:1", "t")
	if _, err := c.Live(context.Background()); err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Fatalf("no server: %v", err)
	}
}

func TestCredentials(t *testing.T) {
	t.Setenv(remote.NoKeyringEnv, "1")
	ctx := context.Background()
	ws, err := sqlite.Open(filepath.Join(t.TempDir(), "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if cr, err := remote.LoadCredentials(ctx, ws); err != nil || cr.Server != "" || cr.Token != "" {
		t.Fatalf("before any sync: %+v, %v", cr, err)
	}
	where, err := remote.SaveCredentials(ctx, ws, "http://srv.example", "tok-123")
	if err != nil || where != remote.InFile {
		t.Fatalf("save: %q, %v", where, err)
	}
	fi, err := os.Stat(ws.Path() + ".token")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v, %v", fi, err)
	}
	cr, err := remote.LoadCredentials(ctx, ws)
	if err != nil || cr.Server != "http://srv.example" || cr.Token != "tok-123" || cr.Where != remote.InFile {
		t.Fatalf("load: %+v, %v", cr, err)
	}
	// Never in the settings, nor in the workspace file.
	d, l := settingsOf(t, ws)
	b, _ := os.ReadFile(ws.Path())
	if strings.Contains(string(d.Canonical())+string(l.Canonical())+string(b), "tok-123") {
		t.Fatal("the token is in the workspace")
	}
}
