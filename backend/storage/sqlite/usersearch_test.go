package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// userSearchWant is SearchUsers by brute force: the users (in import
// order) whose folded e-mail or name holds the folded q, at most limit.
func userSearchWant(users []*portal.User, q string, limit int) []string {
	q = portal.Fold(strings.TrimSpace(q))
	out := []string{}
	for _, u := range users {
		if len(out) < limit && (strings.Contains(portal.Fold(u.Email), q) || strings.Contains(portal.Fold(u.Name), q)) {
			out = append(out, u.ID)
		}
	}
	return out
}

func userSearchGot(t *testing.T, ws *sqlite.Workspace, q string, limit int) []string {
	t.Helper()
	got, err := ws.SearchUsers(context.Background(), q, limit)
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	ids := []string{}
	for _, u := range got {
		ids = append(ids, u.ID)
	}
	return ids
}

// TestUserSearchMigration: a workspace whose users' search indexed the
// ids, external ids and roles too (before migration 014) gets an index of
// the e-mails and names alone when opened, and finds exactly the users
// whose e-mail or name holds the words, before and after a new import;
// an id, an external id or a role holding them finds no one.
func TestUserSearchMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	ws, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var users []*portal.User
	var recs []portal.Record
	for i := range 40 {
		u := &portal.User{ID: fmt.Sprintf("u-examply-%02d", i), ExternalID: fmt.Sprintf("ext-ÉLODIE-%d", i),
			Email: fmt.Sprintf("user%d@%s", i, []string{"examply.com", "globex.io", "initech.dev"}[i%3]),
			Name:  []string{"Élodie Martin", "Bob Chen", "Zoë Khalil", ""}[i%4], Role: "reviewer"}
		users = append(users, u)
		recs = append(recs, portal.Record{User: u})
	}
	MustImport(t, ws, recs...)
	// The index as it was: five columns, every user's.
	ws = reopenAfter(t, ws, path, sqlite.Options{},
		`DROP TABLE user_trgm`,
		`CREATE VIRTUAL TABLE user_trgm USING fts5(id_fold, external_id_fold, email_fold, name_fold, role_fold,
			content = '', contentless_delete = 1, tokenize = 'trigram')`,
		`INSERT INTO user_trgm (rowid, id_fold, external_id_fold, email_fold, name_fold, role_fold)
			SELECT seq, id_fold, external_id_fold, email_fold, name_fold, role_fold FROM users`,
		`DELETE FROM migrations WHERE name = 'migrations/014_user_search.sql'`)
	cols, err := ws.StringsSQL(context.Background(), `SELECT name FROM pragma_table_info('user_trgm') ORDER BY cid`)
	if err != nil || !slices.Equal(cols, []string{"email_fold", "name_fold"}) {
		t.Fatalf("the users' search index after the migration: columns %v (%v)", cols, err)
	}
	queries := []string{"examply", "EXAMPLY.com", "elodie", "ÉLO", "zoe k", "user1", "@globex", "reviewer", "ext-", "u-ex", "io", "zz"}
	check := func(when string) {
		t.Helper()
		for _, q := range queries {
			for _, limit := range []int{5, 100} {
				if got, want := userSearchGot(t, ws, q, limit), userSearchWant(users, q, limit); !slices.Equal(got, want) {
					t.Fatalf("%s: search %q (at most %d): %v, want %v", when, q, limit, got, want)
				}
			}
		}
	}
	check("after the migration")
	// A new user and a changed one, imported into the migrated index.
	users[0].Email, users[0].Name = "alice@initech.dev", "Alice Reviewer"
	extra := &portal.User{ID: "u-new", Email: "new.examply@globex.io", Name: "Néo Élodie"}
	users = append(users, extra)
	MustImport(t, ws, portal.Record{User: users[0]}, portal.Record{User: extra})
	check("after an import")
}

// TestUserSearchAfterBulkLoad: a bulk load (a Replace import) builds the
// users' search aside and puts it in at its end; it finds exactly the
// users whose e-mail or name holds the words, a user imported twice in
// the load by their last e-mail only, and new imports go on from it.
func TestUserSearchAfterBulkLoad(t *testing.T) {
	ws := MustOpen(t)
	var users []*portal.User
	at := map[string]int{}
	var recs []portal.Record
	if err := demo.Generate(demo.Options{Users: 300, Companies: 30, Tickets: 200, Seed: 5}, func(r portal.Record) error {
		recs = append(recs, r)
		if r.User != nil {
			at[r.User.ID] = len(users)
			users = append(users, r.User)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	again := *users[7]
	old := users[7].Email
	again.Email, again.Name = "zzyzx.again@initech.dev", "Zzyzx Again"
	users[at[again.ID]] = &again
	recs = append(recs, portal.Record{User: &again})
	MustImportWith(t, ws, portal.ImportOptions{Replace: true}, recs...)
	local := strings.Split(portal.Fold(old), "@")[0]
	queries := []string{"examply", "zzyzx", local, "martin", "élo", ".com", "zz", "qqqq"}
	for _, q := range queries {
		if got, want := userSearchGot(t, ws, q, 100), userSearchWant(users, q, 100); !slices.Equal(got, want) {
			t.Fatalf("after a bulk load: search %q: %v, want %v", q, got, want)
		}
	}
	extra := &portal.User{ID: "u-after", Email: "after.zzyzx@globex.io", Name: "After Bulk"}
	users = append(users, extra)
	MustImport(t, ws, portal.Record{User: extra})
	if got, want := userSearchGot(t, ws, "zzyzx", 100), userSearchWant(users, "zzyzx", 100); !slices.Equal(got, want) || len(want) != 2 {
		t.Fatalf("after an import that followed: %v, want %v (two users)", got, want)
	}
}
