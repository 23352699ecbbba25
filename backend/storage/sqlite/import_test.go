package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

func source(recs ...portal.Record) portal.RecordSource {
	return func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		for _, r := range recs {
			if err := emit(r); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
}

func counts(t *testing.T, ws *sqlite.Workspace) portal.Counts {
	t.Helper()
	c, err := ws.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestImport(t *testing.T) {
	ctx := context.Background()
	alice := portal.Record{Source: portal.Source{File: "a.json", Line: 1}, User: &portal.User{ID: "u1", ExternalID: "x1", Email: "alice@examply.com", CompanyIDs: []string{"c1"}}}
	examply := portal.Record{Source: portal.Source{File: "a.json", Line: 9}, Company: &portal.Company{ID: "c1", CompanyID: "EX", Name: "Examply", Plan: "Pro"}}

	t.Run("OK", func(t *testing.T) {
		ws := MustOpen(t)
		rep := MustImport(t, ws, alice, examply)
		if rep.Contacts != 1 || rep.Companies != 1 || !rep.Committed {
			t.Fatalf("report %+v", rep)
		}
		// Idempotent: the same records again change nothing.
		MustImport(t, ws, alice, examply)
		if c := counts(t, ws); c.Users != 1 || c.Companies != 1 {
			t.Fatalf("after re-import: %+v", c)
		}
		u, err := ws.FindUser(ctx, "ALICE@examply.com")
		if err != nil || u.ID != "u1" || len(u.CompanyIDs) != 1 {
			t.Fatalf("FindUser: %+v, %v", u, err)
		}
	})

	t.Run("UpsertReplacesFields", func(t *testing.T) {
		ws := MustOpen(t)
		MustImport(t, ws, alice)
		changed := *alice.User
		changed.Email = "alice@globex.io"
		changed.CompanyIDs = nil
		MustImport(t, ws, portal.Record{User: &changed})
		u, err := ws.FindUser(ctx, "u1")
		if err != nil || u.Email != "alice@globex.io" || len(u.CompanyIDs) != 0 {
			t.Fatalf("after upsert: %+v, %v", u, err)
		}
	})

	t.Run("ErrDuplicateExternalID", func(t *testing.T) {
		ws := MustOpen(t)
		bob := portal.Record{Source: portal.Source{File: "b.json", Line: 4}, User: &portal.User{ID: "u2", ExternalID: "x1"}}
		rep, err := ws.Import(ctx, source(examply, alice, bob), portal.ImportOptions{Strict: true})
		if portal.ErrorCode(err) != portal.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
		if len(rep.Rejected) != 1 || rep.Rejected[0].Line != 4 || !strings.Contains(rep.Rejected[0].Reason, "external_id") {
			t.Fatalf("rejected = %+v", rep.Rejected)
		}
		if c := counts(t, ws); c.Users+c.Companies != 0 {
			t.Fatalf("a rejected import wrote %+v", c)
		}
	})

	t.Run("DefaultKeepsValid", func(t *testing.T) {
		ws := MustOpen(t)
		dup := portal.Record{Company: &portal.Company{ID: "c2", CompanyID: "EX"}}
		rep, err := ws.Import(ctx, source(examply, dup, alice), portal.ImportOptions{})
		if err != nil || len(rep.Rejected) != 1 || !strings.Contains(rep.Rejected[0].Reason, "company_id") {
			t.Fatalf("rep %+v, err %v", rep, err)
		}
		if c := counts(t, ws); c.Users != 1 || c.Companies != 1 {
			t.Fatalf("counts %+v", c)
		}
	})

	t.Run("ErrDuplicateTicketID", func(t *testing.T) {
		ws := MustOpen(t)
		t1 := portal.Record{Ticket: &portal.Ticket{ID: "t1", TicketID: "5", Category: portal.CategoryCustomer}}
		t2 := portal.Record{Ticket: &portal.Ticket{ID: "t2", TicketID: "5", Category: portal.CategoryCustomer}}
		rep, err := ws.Import(ctx, source(t1, t2), portal.ImportOptions{Strict: true})
		if err == nil || len(rep.Rejected) != 1 || rep.Rejected[0].ID != "t2" {
			t.Fatalf("rep %+v, err %v", rep, err)
		}
		if c := counts(t, ws); c.Tickets != 0 {
			t.Fatalf("counts %+v", c)
		}
	})

	t.Run("SourceErrorRollsBack", func(t *testing.T) {
		ws := MustOpen(t)
		_, err := ws.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
			if err := emit(alice); err != nil {
				return nil, err
			}
			return nil, portal.Errorf(portal.EINVALID, "b.json:3: not valid JSON")
		}, portal.ImportOptions{})
		if err == nil {
			t.Fatal("want the source's error")
		}
		if c := counts(t, ws); c.Users != 0 {
			t.Fatalf("a failed import wrote %+v", c)
		}
	})

	t.Run("ReplaceEmptiesDataset", func(t *testing.T) {
		ws := MustOpen(t)
		MustImport(t, ws, alice, examply)
		if _, err := ws.Import(ctx, source(examply), portal.ImportOptions{Replace: true}); err != nil {
			t.Fatal(err)
		}
		if c := counts(t, ws); c.Users != 0 || c.Companies != 1 {
			t.Fatalf("counts %+v", c)
		}
	})

	t.Run("AmbiguousEmail", func(t *testing.T) {
		ws := MustOpen(t)
		lead := portal.Record{User: &portal.User{ID: "u9", Email: "Alice@Examply.com", Role: "lead"}}
		MustImport(t, ws, alice, lead)
		if _, err := ws.FindUser(ctx, "alice@examply.com"); portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(err.Error(), "more than one") {
			t.Fatalf("err = %v, want an ambiguity error", err)
		}
		if u, err := ws.FindUser(ctx, "x1"); err != nil || u.ID != "u1" {
			t.Fatalf("by external_id: %v, %v", u, err)
		}
	})

	t.Run("SchemaDiscovery", func(t *testing.T) {
		ws := MustOpen(t)
		u := portal.Record{User: &portal.User{ID: "u1", Custom: map[string]portal.Value{"seats": {Kind: portal.KindNumber, Num: 3}}}}
		u2 := portal.Record{User: &portal.User{ID: "u2", Custom: map[string]portal.Value{"seats": portal.StringValue("three")}}}
		MustImport(t, ws, u, u2)
		s, err := ws.Schema(ctx)
		if err != nil {
			t.Fatal(err)
		}
		a, ok := s.Lookup("user.custom.seats")
		if !ok || a.Kind != portal.KindNumber {
			t.Fatalf("user.custom.seats = %+v, %v; want the first type seen, number", a, ok)
		}
		n, _, err := oneShot(t, ws, nil).Audience(ctx, portal.Cond("user.custom.seats", portal.OpIsSet, nil), s, t0, 0)
		if err != nil || n != 1 {
			t.Fatalf("is_set count = %d, %v; want 1 (the string value counts as unset)", n, err)
		}
	})
}

func TestApplyDraft(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	st, err := ws.Draft(ctx)
	if err != nil || !st.Equal(portal.DefaultSettings()) {
		t.Fatalf("new draft = %v, %v; want the defaults", st, err)
	}
	bad := `{"access": {"rule": {"all": [{"attribute": "user.nope", "operator": "equals", "value": "x"}]}}, "preview_column": "yes"}`
	if _, err := ws.ApplyDraft(ctx, []byte(bad)); err == nil || !strings.Contains(err.Error(), "access.rule.all[0].attribute") {
		t.Fatalf("err = %v", err)
	}
	if st, _ := ws.Draft(ctx); !st.Equal(portal.DefaultSettings()) {
		t.Fatal("an invalid document changed the draft")
	}
	// Enabling needs a Customer ticket type.
	enable := `{"portal": {"enabled": true, "url": ""}, "help_center": {"live": true, "sections": []}, "identity_verification": true}`
	if _, err := ws.ApplyDraft(ctx, []byte(enable)); err == nil || !strings.Contains(err.Error(), "ticket type of category Customer") {
		t.Fatalf("err = %v", err)
	}
	MustImport(t, ws, portal.Record{Ticket: &portal.Ticket{ID: "t1", TicketID: "1", Category: portal.CategoryCustomer, TypeID: "ty"},
		TicketType: &portal.TicketType{ID: "ty", Name: "Bug", Category: portal.CategoryCustomer}})
	st, err = ws.ApplyDraft(ctx, []byte(enable))
	if err != nil {
		t.Fatal(err)
	}
	if st.Portal.URL != "http://127.0.0.1:8080/portal/test/" {
		t.Fatalf("portal URL = %q", st.Portal.URL)
	}
	// Off and on again: the URL stays.
	if err := ws.SetServer(ctx, "https://help.example.com", "acme"); err != nil {
		t.Fatal(err)
	}
	off := strings.Replace(enable, `"enabled": true`, `"enabled": false`, 1)
	for _, doc := range []string{off, enable} {
		st, err = ws.ApplyDraft(ctx, []byte(doc))
		if err != nil || st.Portal.URL != "http://127.0.0.1:8080/portal/test/" {
			t.Fatalf("URL after off/on = %q, %v", st.Portal.URL, err)
		}
	}
}

// TestImportCancelled cancels an import midway (its statements run
// without the context's cancellation, checked between records): the
// error says so and the workspace is as it was, for an upsert and for a
// bulk replace.
func TestImportCancelled(t *testing.T) {
	for _, replace := range []bool{false, true} {
		ws := MustOpen(t)
		MustImport(t, ws, portal.Record{User: &portal.User{ID: "u0", Email: "kept@examply.com"}})
		ctx, cancel := context.WithCancel(context.Background())
		src := func(emit func(portal.Record) error) ([]portal.Rejection, error) {
			for i := range 5000 {
				if i == 2000 {
					cancel()
				}
				if err := emit(portal.Record{User: &portal.User{ID: fmt.Sprintf("u%d", i+1), Email: fmt.Sprintf("user%d@examply.com", i)}}); err != nil {
					return nil, err
				}
			}
			return nil, nil
		}
		rep, err := ws.Import(ctx, src, portal.ImportOptions{Replace: replace})
		if !errors.Is(err, context.Canceled) || rep.Committed {
			t.Fatalf("replace %v: err = %v, committed %v; want context.Canceled, nothing committed", replace, err, rep.Committed)
		}
		if c := counts(t, ws); c.Users != 1 {
			t.Fatalf("replace %v: a cancelled import left %d users, want the 1 there before", replace, c.Users)
		}
		if _, err := ws.FindUser(context.Background(), "kept@examply.com"); err != nil {
			t.Fatalf("replace %v: the user there before: %v", replace, err)
		}
	}
}

// TestBulkLoadKeys imports records whose unique keys clash, and records
// that come twice, once as a bulk load (Replace, which looks a key up
// only when an insert clashes) and once as an upsert into an empty
// workspace (which looks every key up first): the same records are
// rejected, for the same reasons, and the same data is kept. A key an
// object gave up earlier in the file is free again; the last spelling
// of a ticket type wins.
func TestBulkLoadKeys(t *testing.T) {
	ctx := context.Background()
	user := func(id, ext, email string) portal.Record {
		return portal.Record{User: &portal.User{ID: id, ExternalID: ext, Email: email}}
	}
	ticket := func(id, number, typeName string) portal.Record {
		return portal.Record{Ticket: &portal.Ticket{ID: id, TicketID: number, Category: portal.CategoryCustomer, TypeID: "ty1", TypeName: typeName},
			TicketType: &portal.TicketType{ID: "ty1", Name: typeName, Category: portal.CategoryCustomer}}
	}
	recs := []portal.Record{
		user("u1", "x1", "one@examply.com"),
		user("u2", "x1", "two@examply.com"), // x1 is u1's
		user("u3", "x3", "three@examply.com"),
		user("u3", "x4", "three@globex.io"),  // u3 again: moves to x4
		user("u5", "x3", "five@examply.com"), // x3 is free again
		user("u6", "x4", "six@examply.com"),  // x4 is u3's
		ticket("t1", "5", "Bug"),
		ticket("t2", "5", "Bug"), // 5 is t1's
		ticket("t1", "6", "Bugs"),
		ticket("t3", "5", "Bugs"),
	}
	for i := range recs {
		recs[i].Source = portal.Source{File: "keys.json", Line: i + 1}
	}
	type outcome struct {
		rejected []string
		users    map[string]string // id → external id and e-mail
		tickets  []string          // id, number and type of each ticket kept
		types    []portal.TicketType
	}
	load := func(replace bool) outcome {
		ws := MustOpen(t)
		rep, err := ws.Import(ctx, source(recs...), portal.ImportOptions{Replace: replace})
		if err != nil {
			t.Fatalf("replace %v: %v", replace, err)
		}
		var o outcome
		for _, r := range rep.Rejected {
			o.rejected = append(o.rejected, fmt.Sprintf("line %d %s: %s", r.Line, r.ID, r.Reason))
		}
		o.users = map[string]string{}
		header := func(h portal.SnapshotHeader) error {
			o.types = h.TicketTypes
			return nil
		}
		err = ws.Snapshot(ctx, header, func(r portal.Record) error {
			switch {
			case r.User != nil:
				o.users[r.User.ID] = r.User.ExternalID + " " + r.User.Email
			case r.Ticket != nil:
				o.tickets = append(o.tickets, r.Ticket.ID+" #"+r.Ticket.TicketID+" "+r.Ticket.TypeName+" / "+r.TicketType.Name)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	want := outcome{
		rejected: []string{
			`line 2 u2: external_id "x1" already belongs to contact u1`,
			`line 6 u6: external_id "x4" already belongs to contact u3`,
			`line 8 t2: ticket_id "5" already belongs to ticket t1`,
		},
		users:   map[string]string{"u1": "x1 one@examply.com", "u3": "x4 three@globex.io", "u5": "x3 five@examply.com"},
		tickets: []string{"t1 #6 Bugs / Bugs", "t3 #5 Bugs / Bugs"},
		types:   []portal.TicketType{{ID: "ty1", Name: "Bugs", Category: portal.CategoryCustomer}},
	}
	for _, replace := range []bool{true, false} {
		if got := load(replace); !reflect.DeepEqual(got, want) {
			t.Errorf("replace %v:\n got %+v\nwant %+v", replace, got, want)
		}
	}
}

// TestTicketRows imports tickets with 0 to 17 parts and contacts (written
// up to 8 rows a statement), by upsert and by bulk load, twice each (the
// second time over the first's rows), and reads back every part and
// contact in its place.
func TestTicketRows(t *testing.T) {
	ctx := context.Background()
	var recs []portal.Record
	for _, n := range []int{0, 1, 7, 8, 9, 16, 17} {
		tk := &portal.Ticket{ID: fmt.Sprintf("t%d", n), TicketID: fmt.Sprint(100 + n), Category: portal.CategoryCustomer}
		for i := range n {
			tk.Parts = append(tk.Parts, portal.Part{ID: fmt.Sprintf("p%d-%d", n, i), PartType: "comment", Body: fmt.Sprintf("part %d of %d", i, n),
				AuthorType: "user", AuthorID: "u1", AuthorName: "Alice", CreatedAt: time.Unix(int64(1700000000+i), 0).UTC()})
			tk.ContactIDs = append(tk.ContactIDs, fmt.Sprintf("u%d", i))
		}
		recs = append(recs, portal.Record{User: &portal.User{ID: "u1"}}, portal.Record{Ticket: tk})
	}
	for _, replace := range []bool{false, true} {
		ws := MustOpen(t)
		for range 2 {
			if _, err := ws.Import(ctx, source(recs...), portal.ImportOptions{Replace: replace, Strict: true}); err != nil {
				t.Fatalf("replace %v: %v", replace, err)
			}
		}
		got := map[string]*portal.Ticket{}
		if err := ws.Snapshot(ctx, func(portal.SnapshotHeader) error { return nil }, func(r portal.Record) error {
			if r.Ticket != nil {
				got[r.Ticket.ID] = r.Ticket
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Ticket == nil {
				continue
			}
			g := got[r.Ticket.ID]
			if g == nil || !reflect.DeepEqual(g.Parts, r.Ticket.Parts) || !reflect.DeepEqual(g.ContactIDs, r.Ticket.ContactIDs) {
				t.Fatalf("replace %v: ticket %s reads back\n%+v\nwant parts %+v, contacts %v", replace, r.Ticket.ID, g, r.Ticket.Parts, r.Ticket.ContactIDs)
			}
		}
	}
}
