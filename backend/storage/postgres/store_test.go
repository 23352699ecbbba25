package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"portalstudio/backend/audience"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/postgres"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func openPG(t testing.TB) (*postgres.Store, string) {
	t.Helper()
	url := pgtest.NewDatabase(t)
	s, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, url
}

func openSQLite(t testing.TB) *sqlite.Workspace {
	t.Helper()
	ws, err := sqlite.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

func source(recs []portal.Record) portal.RecordSource {
	return func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		for _, r := range recs {
			if err := emit(r); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
}

type store interface {
	portal.Importer
	portal.Snapshotter
	portal.Directory
	portal.TicketSearch
}

// snapshotLines returns a store's snapshot as JSON lines.
func snapshotLines(t *testing.T, s portal.Snapshotter) []string {
	t.Helper()
	var out []string
	err := s.Snapshot(context.Background(), func(h portal.SnapshotHeader) error {
		b, err := json.Marshal(h)
		out = append(out, string(b))
		return err
	}, func(r portal.Record) error {
		b, err := json.Marshal(r)
		out = append(out, string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// imports are the imports TestSameAsSQLite runs on both stores: a demo
// dataset, then upserts that move unique keys between objects, repeat
// ids, clash (rejections), carry notes and odd part types.
func imports() [][]portal.Record {
	var base []portal.Record
	demo.Generate(demo.Options{Users: 150, Companies: 15, Tickets: 400, Seed: 11}, func(r portal.Record) error {
		base = append(base, r)
		return nil
	})
	u0, u1 := demo.UserID(0), demo.UserID(1)
	moves := []portal.Record{
		// u1 takes u0's external_id after u0 gives it up, in one import.
		{User: &portal.User{ID: u0, ExternalID: "moved-away", Email: "u0@examply.com", Name: "Zero"}},
		{User: &portal.User{ID: u1, ExternalID: "", Email: "u1@examply.com", Name: "One", CompanyIDs: []string{demo.CompanyID(1), demo.CompanyID(1), "c-missing"}}},
		{User: &portal.User{ID: "new-1", ExternalID: "moved-away", Email: "clash@examply.com"}}, // rejected: u0 holds it now
		{User: &portal.User{ID: "new-2", Email: "Two@Examply.com", Custom: map[string]portal.Value{"seats": {Kind: portal.KindNumber, Num: 3}, "tier": portal.StringValue("Gold")}}},
		{User: &portal.User{ID: "new-2", Email: "two@examply.com", Name: "Twice", Custom: map[string]portal.Value{"tier": portal.StringValue("Silver")}}},
		{User: &portal.User{ID: "new-3", Custom: map[string]portal.Value{"seats": portal.StringValue("many")}}}, // seats is a number: kept, unset for rules
		{User: &portal.User{ID: ""}}, // rejected: no id
		{Company: &portal.Company{ID: "c-new", CompanyID: "ext-c", Name: "Ünïcode GmbH", Custom: map[string]portal.Value{"vip": {Kind: portal.KindBoolean, Bool: true}}}},
		{Company: &portal.Company{ID: "c-new2", CompanyID: "ext-c", Name: "Clash"}}, // rejected
		{Ticket: &portal.Ticket{ID: "t-new", TicketID: "900001", Title: "Invoice export fails", Description: "The <b>export</b> of invoices fails",
			Category: portal.CategoryCustomer, IsShared: true, ContactIDs: []string{u1, u0}, CompanyID: demo.CompanyID(1), StateCategory: "submitted", StateLabel: "Submitted",
			TypeID: "ty-x", TypeName: "Bug", CreatedAt: t0.Add(-time.Hour), UpdatedAt: t0, Open: true,
			Parts: []portal.Part{{ID: "p1", PartType: "comment", Body: "<p>Exporting again</p>", AuthorType: "user", AuthorID: u1, AuthorName: "One", CreatedAt: t0},
				{ID: "p2", PartType: "note", Body: "internal escalation", AuthorType: "admin", AuthorName: "Agent", CreatedAt: t0},
				{ID: "p3", PartType: "weird_type", Body: "hidden", AuthorType: "admin", AuthorName: "Agent", CreatedAt: t0}}},
			TicketType: &portal.TicketType{ID: "ty-x", Name: "Bug", Category: portal.CategoryCustomer}},
		{Ticket: &portal.Ticket{ID: "t-bad", TicketID: "900002", Category: "Nope"}},                   // rejected
		{Ticket: &portal.Ticket{ID: "t-clash", TicketID: "900001", Category: portal.CategoryTracker}}, // rejected
	}
	return [][]portal.Record{base, moves, base[:40]}
}

// TestSameAsSQLite: the same imports into both stores give the same
// reports, the same snapshot line by line, the same users, lists and
// search hits.
func TestSameAsSQLite(t *testing.T) {
	ctx := context.Background()
	pg, _ := openPG(t)
	lite := openSQLite(t)
	for i, recs := range imports() {
		a, errA := lite.Import(ctx, source(recs), portal.ImportOptions{})
		b, errB := pg.Import(ctx, source(recs), portal.ImportOptions{})
		if errA != nil || errB != nil {
			t.Fatalf("import %d: sqlite %v, postgres %v", i, errA, errB)
		}
		if diff := cmp.Diff(a, b); diff != "" {
			t.Fatalf("import %d: reports differ (-sqlite +postgres):\n%s", i, diff)
		}
	}
	if diff := cmp.Diff(snapshotLines(t, lite), snapshotLines(t, pg)); diff != "" {
		t.Fatalf("snapshots differ (-sqlite +postgres):\n%s", diff)
	}
	compareReads(t, lite, pg)
}

// compareReads compares every user's lookups, tab pages and a few
// searches between two stores holding the same data.
func compareReads(t *testing.T, a, b store) {
	t.Helper()
	ctx := context.Background()
	var users []*portal.User
	a.(portal.Snapshotter).Snapshot(ctx, func(portal.SnapshotHeader) error { return nil }, func(r portal.Record) error {
		if r.User != nil {
			users = append(users, r.User)
		}
		return nil
	})
	words := []string{"invoice", "export", "the", "a", "login", "exp", "e", "zzz", "ünïcode"}
	for _, u := range users {
		ua, errA := a.UserByID(ctx, u.ID)
		ub, errB := b.UserByID(ctx, u.ID)
		if errA != nil || errB != nil {
			t.Fatalf("user %s: %v / %v", u.ID, errA, errB)
		}
		if diff := cmp.Diff(ua, ub); diff != "" {
			t.Fatalf("user %s differs:\n%s", u.ID, diff)
		}
		if u.Email != "" {
			_, errA := a.UserByEmail(ctx, u.Email)
			_, errB := b.UserByEmail(ctx, u.Email)
			if portal.ErrorCode(errA) != portal.ErrorCode(errB) {
				t.Fatalf("email %s: %v / %v", u.Email, errA, errB)
			}
		}
		for _, tab := range []string{portal.TabAll, portal.TabMine} {
			for _, limit := range []int{7, 50} {
				pa, pb := walk(t, a, ua, tab, limit), walk(t, b, ua, tab, limit)
				if diff := cmp.Diff(pa, pb); diff != "" {
					t.Fatalf("user %s tab %s limit %d: pages differ:\n%s", u.ID, tab, limit, diff)
				}
			}
			for _, w := range words {
				sa, sb := searchAll(t, a, ua, tab, w), searchAll(t, b, ua, tab, w)
				if diff := cmp.Diff(sa, sb); diff != "" {
					t.Fatalf("user %s tab %s search %q: hits differ (-sqlite +postgres):\n%s", u.ID, tab, w, diff)
				}
			}
		}
	}
	for _, q := range []string{"examply", "ONE", "zz", "@", "%", "_"} {
		ra, _ := a.SearchUsers(ctx, q, 20)
		rb, _ := b.SearchUsers(ctx, q, 20)
		if diff := cmp.Diff(ra, rb); diff != "" {
			t.Fatalf("user search %q differs:\n%s", q, diff)
		}
	}
}

// walk reads every page of a tab.
func walk(t *testing.T, s store, u *portal.User, tab string, limit int) []string {
	t.Helper()
	var out []string
	cursor := ""
	for {
		p, err := s.Tickets(context.Background(), portal.TicketQuery{UserID: u.ID, CompanyIDs: u.CompanyIDs, Tab: tab, Cursor: cursor, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range p.Tickets {
			out = append(out, fmt.Sprintf("%s@%d/%d", tk.ID, tk.UpdatedAt.Unix(), p.Total))
		}
		if p.Next == "" {
			return out
		}
		cursor = p.Next
	}
}

// searchAll returns every hit of a search, sorted (the order of relevance
// is each store's own), with the total.
func searchAll(t *testing.T, s store, u *portal.User, tab, q string) []string {
	t.Helper()
	out := []string{}
	cursor := ""
	total := -1
	for {
		p, err := s.Search(context.Background(), portal.SearchQuery{UserID: u.ID, CompanyIDs: u.CompanyIDs, Tab: tab, Terms: portal.SearchTerms(q), Cursor: cursor, Limit: 9})
		if err != nil {
			t.Fatal(err)
		}
		if total >= 0 && p.Total != total {
			t.Fatalf("search %q: total %d, then %d", q, total, p.Total)
		}
		total = p.Total
		out = append(out, p.IDs...)
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	if len(out) != total {
		t.Fatalf("search %q: %d hits, total %d", q, len(out), total)
	}
	sort.Strings(out)
	return out
}

// TestReplaceImport: a Replace import empties the dataset first and
// numbers the users from 1 again, in one transaction; a failing one
// changes nothing.
func TestReplaceImport(t *testing.T) {
	ctx := context.Background()
	pg, _ := openPG(t)
	lite := openSQLite(t)
	all := imports()
	for _, s := range []portal.Importer{pg, lite} {
		if _, err := s.Import(ctx, source(all[0]), portal.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var small []portal.Record
	demo.Generate(demo.Options{Users: 20, Companies: 3, Tickets: 30, Seed: 5}, func(r portal.Record) error {
		small = append(small, r)
		return nil
	})
	boom := errors.New("the source broke")
	_, err := pg.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		for _, r := range small[:10] {
			if err := emit(r); err != nil {
				return nil, err
			}
		}
		return nil, boom
	}, portal.ImportOptions{Replace: true})
	if !errors.Is(err, boom) {
		t.Fatalf("a broken source: %v", err)
	}
	c, _ := pg.Counts(ctx)
	if c.Users != 150 {
		t.Fatalf("after a failed replace: %+v", c)
	}
	for _, s := range []portal.Importer{pg, lite} {
		if _, err := s.Import(ctx, source(small), portal.ImportOptions{Replace: true}); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(snapshotLines(t, lite), snapshotLines(t, pg)); diff != "" {
		t.Fatalf("snapshots differ after a replace (-sqlite +postgres):\n%s", diff)
	}
	// The users are numbered from 1 again, in the order they came (the
	// audience engine's numbering), and nothing is numbered after them.
	var ids []string
	var seqs []uint32
	for _, r := range small {
		if r.User != nil {
			ids = append(ids, r.User.ID)
			seqs = append(seqs, uint32(len(seqs)+1))
		}
	}
	sums, err := pg.Summaries(ctx, append(seqs, uint32(len(seqs)+1), 151))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range sums {
		got = append(got, u.ID)
	}
	if diff := cmp.Diff(append(ids, "", ""), got); diff != "" {
		t.Fatalf("users by seq after a replace (-want +got):\n%s", diff)
	}
}

// TestStrictImport: a strict import with a rejection writes nothing.
func TestStrictImport(t *testing.T) {
	ctx := context.Background()
	pg, _ := openPG(t)
	recs := []portal.Record{{User: &portal.User{ID: "a", ExternalID: "x"}}, {User: &portal.User{ID: "b", ExternalID: "x"}}}
	rep, err := pg.Import(ctx, source(recs), portal.ImportOptions{Strict: true})
	if portal.ErrorCode(err) != portal.EINVALID || rep.Committed || len(rep.Rejected) != 1 {
		t.Fatalf("strict import: %+v, %v", rep, err)
	}
	if c, _ := pg.Counts(ctx); c.Users != 0 {
		t.Fatalf("a strict import with a rejection wrote %d users", c.Users)
	}
	// NUL cannot be stored: the record is rejected, not a failure.
	rep, err = pg.Import(ctx, source([]portal.Record{{User: &portal.User{ID: "n", Name: "a\x00b"}}, {User: &portal.User{ID: "ok"}}}), portal.ImportOptions{})
	if err != nil || len(rep.Rejected) != 1 || rep.Contacts != 1 {
		t.Fatalf("NUL in a name: %+v, %v", rep, err)
	}
}

// TestPutLiveRace: of many writers from one version, exactly one wins,
// and the others get the winner's document.
func TestPutLiveRace(t *testing.T) {
	ctx := context.Background()
	_, url := openPG(t)
	// Two handles on one database: two replicas.
	var stores []*postgres.Store
	for range 2 {
		s, err := postgres.Open(ctx, url, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	for round := 0; round < 5; round++ {
		v, err := stores[0].LiveVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, stale := 0, 0
		for i := range 8 {
			wg.Go(func() {
				doc := fmt.Sprintf(`{"preview_column": %v, "help_center": {"live": %v}}`, i%2 == 0, i%3 == 0)
				_, err := stores[i%2].PutLive(ctx, []byte(doc), v)
				mu.Lock()
				defer mu.Unlock()
				var se *portal.StaleError
				switch {
				case err == nil:
					wins++
				case errors.As(err, &se) && se.Current.Version == v+1:
					stale++
				default:
					t.Errorf("writer %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if wins != 1 || stale != 7 {
			t.Fatalf("round %d: %d wins, %d stale; want 1 and 7", round, wins, stale)
		}
		vs, err := stores[1].Versions(ctx, 100)
		if err != nil || len(vs) != round+1 || vs[0].Version != v+1 {
			t.Fatalf("versions after round %d: %+v, %v", round, vs, err)
		}
	}
}

// TestMigrateOnce: replicas opening an empty database at once apply the
// migrations once, and are ready.
func TestMigrateOnce(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := postgres.Open(ctx, url, postgres.Options{})
			if err == nil {
				err = s.Ready(ctx)
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
	}
}

// TestLostConnection: while the database is down every call is
// EUNAVAILABLE with a sentence, never an internal error; the store
// recovers by itself when it is back.
func TestLostConnection(t *testing.T) {
	ctx := context.Background()
	pg, _ := openPG(t)
	if _, err := pg.Import(ctx, source(imports()[0][:50]), portal.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	before, err := pg.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := pgtest.Shared(t)
	if err := c.StopServer(); err != nil {
		t.Fatal(err)
	}
	started := false
	defer func() {
		if !started {
			c.StartServer()
		}
	}()
	for _, call := range []func() error{
		func() error { _, err := pg.Counts(ctx); return err },
		func() error { _, err := pg.Live(ctx); return err },
		func() error { _, err := pg.PutLive(ctx, []byte(`{}`), portal.AnyVersion); return err },
		func() error { _, _, err := pg.SessionState(ctx, "x"); return err },
		func() error {
			_, err := pg.Tickets(ctx, portal.TicketQuery{UserID: "u", Tab: portal.TabMine})
			return err
		},
		func() error { return pg.Ready(ctx) },
	} {
		err := call()
		if portal.ErrorCode(err) != portal.EUNAVAILABLE || portal.ErrorMessage(err) == "" {
			t.Fatalf("with the database down: %v (code %s)", err, portal.ErrorCode(err))
		}
	}
	if err := c.StartServer(); err != nil {
		t.Fatal(err)
	}
	started = true
	n, err := pg.Counts(ctx)
	if err != nil || n != before {
		// The first call after the restart may meet a connection the
		// pool has not yet found dead: it is unavailable too, once.
		if portal.ErrorCode(err) != portal.EUNAVAILABLE {
			t.Fatalf("after the database came back: %+v, %v", n, err)
		}
		if n, err = pg.Counts(ctx); err != nil || n != before {
			t.Fatalf("after the database came back (again): %+v, %v", n, err)
		}
	}
}

// TestAudienceFollowsOtherReplica: audiences answered by one replica
// follow an import made through another, at once.
func TestAudienceFollowsOtherReplica(t *testing.T) {
	ctx := context.Background()
	a, url := openPG(t)
	b, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	lite := openSQLite(t)
	// Replica b's engine is a server's (kept, in memory only): it sees a's
	// imports by the generation.
	eb := audience.NewEngine(b, audience.Options{Keep: true})
	defer eb.Close()
	el := audience.NewEngine(lite, audience.Options{Path: lite.AudiencePath()})
	defer el.Close()
	var rule portal.Rule
	if err := json.Unmarshal([]byte(`{"any": [{"attribute": "user.email", "operator": "contains", "value": "examply"}, {"attribute": "company.name", "operator": "starts_with", "value": "ü"}]}`), &rule); err != nil {
		t.Fatal(err)
	}
	for i, recs := range imports() {
		if _, err := a.Import(ctx, source(recs), portal.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := lite.Import(ctx, source(recs), portal.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		sch, err := b.Schema(ctx)
		if err != nil {
			t.Fatal(err)
		}
		nb, ub, err := eb.Audience(ctx, &rule, sch, t0, 5)
		if err != nil {
			t.Fatal(err)
		}
		nl, ul, err := el.Audience(ctx, &rule, sch, t0, 5)
		if err != nil {
			t.Fatal(err)
		}
		if nb != nl || !cmp.Equal(ub, ul) {
			t.Fatalf("import %d: replica b counts %d %v, sqlite %d %v", i, nb, ub, nl, ul)
		}
	}
}
