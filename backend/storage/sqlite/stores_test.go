package sqlite_test

import (
	"context"
	"fmt"
	"testing"

	"portalstudio/backend/portal"
)

// The stores of a workspace share one DB and its read caches: what the
// import store writes, the directory store reads at once, with the
// server's read cache on and off (each cache lives in the shared DB, so
// a write through any store empties it).
func TestStoresShareOneDB(t *testing.T) {
	for _, cache := range []bool{false, true} {
		t.Run(fmt.Sprintf("cache=%v", cache), func(t *testing.T) {
			ctx := context.Background()
			ws := MustOpen(t)
			if cache {
				ws.CacheReads()
			}
			dir, imp := &ws.DirectoryStore, &ws.ImportStore
			put := func(u *portal.User) {
				t.Helper()
				rep, err := imp.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
					return nil, emit(portal.Record{User: u})
				}, portal.ImportOptions{Strict: true})
				if err != nil || !rep.Committed {
					t.Fatalf("import %s: %+v, %v", u.ID, rep, err)
				}
			}
			read := func() (*portal.User, *portal.Schema, portal.Subject) {
				t.Helper()
				u, err := dir.UserByID(ctx, "u1")
				if err != nil {
					t.Fatal(err)
				}
				s, err := dir.Schema(ctx)
				if err != nil {
					t.Fatal(err)
				}
				sub, err := dir.Subject(ctx, u)
				if err != nil {
					t.Fatal(err)
				}
				return u, s, sub
			}

			put(&portal.User{ID: "u1", Email: "ann@examply.com", Name: "Ann", Custom: map[string]portal.Value{"seats": {Kind: portal.KindNumber, Num: 1}}})
			u, s, sub := read()
			if u.Name != "Ann" || len(sub.Companies) != 0 {
				t.Fatalf("first read: %+v with %d companies", u, len(sub.Companies))
			}
			if _, ok := s.Lookup("user.custom.plan"); ok {
				t.Fatal("user.custom.plan in the schema before any user has it")
			}

			put(&portal.User{ID: "u1", Email: "ann@examply.com", Name: "Ann B", CompanyIDs: []string{"c1"},
				Custom: map[string]portal.Value{"plan": portal.StringValue("pro")}})
			if _, err := imp.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
				return nil, emit(portal.Record{Company: &portal.Company{ID: "c1", Name: "Examply"}})
			}, portal.ImportOptions{Strict: true}); err != nil {
				t.Fatal(err)
			}
			u, s, sub = read()
			if u.Name != "Ann B" || fmt.Sprint(u.CompanyIDs) != "[c1]" {
				t.Fatalf("after the second import the directory reads %+v; want Ann B of c1", u)
			}
			if a, ok := s.Lookup("user.custom.plan"); !ok || a.Kind != portal.KindString {
				t.Fatalf("after the second import the schema's user.custom.plan = %+v, %v; want a string", a, ok)
			}
			if len(sub.Companies) != 1 || sub.Companies[0].Name != "Examply" {
				t.Fatalf("after the second import the subject's companies = %+v; want Examply", sub.Companies)
			}
		})
	}
}
