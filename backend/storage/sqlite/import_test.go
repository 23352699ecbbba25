package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

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
