package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// TestReadCacheNeverStale: a workspace that keeps its reads cached
// (CacheReads: the portal server, the desktop app) answers, on its very
// next read and without waiting, every change another process committed
// to the same file (here another workspace handle: connections of their
// own, as another process has): the draft, the live settings, an import
// that renames a user, moves them to another company and adds an
// attribute, a company renamed; and its own writes, under concurrent
// reads (run with -race).
func TestReadCacheNeverStale(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	writer, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	reader, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	reader.CacheReads()

	MustImport(t, writer,
		portal.Record{Company: &portal.Company{ID: "c1", Name: "Examply"}},
		portal.Record{Company: &portal.Company{ID: "c2", Name: "Globex"}},
		portal.Record{User: &portal.User{ID: "u1", Email: "ann@examply.com", Name: "Ann", CompanyIDs: []string{"c1"}}})

	// what reads a workspace: the same through both handles.
	what := func(ws *sqlite.Workspace) string {
		t.Helper()
		live, err := ws.Live(ctx)
		if err != nil {
			t.Fatal(err)
		}
		draft, err := ws.Draft(ctx)
		if err != nil {
			t.Fatal(err)
		}
		schema, err := ws.Schema(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var attrs []string
		for _, a := range schema.Attributes() {
			attrs = append(attrs, a.Name+":"+string(a.Kind))
		}
		u, err := ws.UserByID(ctx, "u1")
		if err != nil {
			t.Fatal(err)
		}
		found, err := ws.FindUser(ctx, "u1")
		if err != nil {
			t.Fatal(err)
		}
		sub, err := ws.Subject(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		var companies []string
		for _, c := range sub.Companies {
			companies = append(companies, c.ID+"="+c.Name)
		}
		return fmt.Sprintf("live v%d %s\ndraft %s\nattributes %v\nuser %s %v, found %s %v, companies %v",
			live.Version, live.Canonical(), draft.Canonical(), attrs, u.Name, u.CompanyIDs, found.Name, found.CompanyIDs, companies)
	}
	same := func(step string) {
		t.Helper()
		for range 2 { // the second read is the cache's
			if got, want := what(reader), what(writer); got != want {
				t.Fatalf("%s: the cached reads answer\n%s\nthe file holds\n%s", step, got, want)
			}
		}
	}
	same("after the first import")
	served := func(step string) {
		t.Helper()
		l1, err1 := reader.Live(ctx)
		l2, err2 := reader.Live(ctx)
		u1, err3 := reader.FindUser(ctx, "u1")
		u2, err4 := reader.FindUser(ctx, "u1")
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			t.Fatal(err)
		}
		if l1 != l2 || u1 != u2 {
			t.Fatalf("%s: two reads with no commit between were both read from the file: the cache serves nothing", step)
		}
	}
	served("after the first import")

	draft, err := writer.Draft(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := draft.Clone()
	d.Visibility.RestrictToOwn = !d.Visibility.RestrictToOwn
	if _, err := writer.ApplyDraft(ctx, d.Canonical()); err != nil {
		t.Fatal(err)
	}
	same("after another process applied a draft")

	live := d.Clone()
	live.Version = 7
	if err := writer.SetLive(ctx, live); err != nil {
		t.Fatal(err)
	}
	same("after another process set the live settings")

	MustImport(t, writer, portal.Record{User: &portal.User{ID: "u1", Email: "ann@examply.com", Name: "Ann B", CompanyIDs: []string{"c2"},
		Custom: map[string]portal.Value{"seats": {Kind: portal.KindNumber, Num: 3}}}})
	same("after another process's import changed the user and the schema")

	MustImport(t, writer, portal.Record{Company: &portal.Company{ID: "c2", Name: "Globex Corp"}})
	same("after another process renamed the user's company")

	// The reader's own write, and writes of the other process while the
	// reader's cache is read from several goroutines.
	d = d.Clone()
	d.PreviewColumn = !d.PreviewColumn
	if _, err := reader.ApplyDraft(ctx, d.Canonical()); err != nil {
		t.Fatal(err)
	}
	same("after a draft applied through the cached workspace")

	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := reader.FindUser(ctx, "u1"); err != nil {
					t.Error(err)
					return
				}
				if _, err := reader.Live(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := range 20 {
		MustImport(t, writer, portal.Record{User: &portal.User{ID: "u1", Email: "ann@examply.com", Name: fmt.Sprintf("Ann %d", i), CompanyIDs: []string{[]string{"c1", "c2"}[i%2]}}})
		live = live.Clone()
		live.Version++
		if err := writer.SetLive(ctx, live); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	same("after writes raced with cached reads")
	served("after writes raced with cached reads")

	// One request's reads (portal.BeginReads) share one check; reads
	// without a request check each time; and a request that begins after
	// another process's commit reads it.
	reads := func(ctx context.Context) {
		t.Helper()
		u, err := reader.FindUser(ctx, "u1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := reader.Live(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := reader.Schema(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := reader.Subject(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name string
		ctx  func() context.Context
		want int
	}{{"four reads of one request", func() context.Context { return portal.BeginReads(ctx) }, 1}, {"four reads", func() context.Context { return ctx }, 4}} {
		before := reader.ReadChecks()
		reads(c.ctx())
		if got := reader.ReadChecks() - before; got != c.want {
			t.Errorf("%s asked SQLite %d times; want %d", c.name, got, c.want)
		}
	}
	MustImport(t, writer, portal.Record{User: &portal.User{ID: "u1", Email: "ann@examply.com", Name: "Ann after", CompanyIDs: []string{"c1"}}})
	u, err := reader.FindUser(portal.BeginReads(ctx), "u1")
	if err != nil || u.Name != "Ann after" {
		t.Fatalf("a request begun after another process's import reads %+v, %v; want Ann after", u, err)
	}

	// The names of the ticket types in a list's facets, renamed by
	// another process's import.
	typeName := func(ws *sqlite.Workspace) string {
		t.Helper()
		page, err := ws.Tickets(ctx, portal.TicketQuery{UserID: "u1", CompanyIDs: []string{"c1"}, Tab: portal.TabAll, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Facets.Types) != 1 {
			t.Fatalf("facets' types %+v; want the one type", page.Facets.Types)
		}
		return page.Facets.Types[0].Name
	}
	for _, name := range []string{"Bug", "Defect"} {
		MustImport(t, writer, portal.Record{Ticket: &portal.Ticket{ID: "t1", TicketID: "1", Title: "T", Category: portal.CategoryCustomer, IsShared: true,
			TypeID: "ty", StateCategory: portal.StateSubmitted, ContactIDs: []string{"u1"}, CompanyID: "c1", CreatedAt: time.Unix(1e9, 0), UpdatedAt: time.Unix(1e9, 0)},
			TicketType: &portal.TicketType{ID: "ty", Name: name, Category: portal.CategoryCustomer}})
		for range 2 { // the second read is the cache's
			if got := typeName(reader); got != name {
				t.Fatalf("after another process named the type %q, the cached facets name it %q", name, got)
			}
		}
		if got := typeName(writer); got != name {
			t.Fatalf("the facets name the type %q; want %q", got, name)
		}
	}
}
