package server_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/portal"
	"portalstudio/internal/teststore"
)

// TestStoreSubjects: on every store, Subjects reads a page of users in one
// go exactly as UserByID then Subject read each of them: their companies
// (one the workspace does not hold among them) in order, the companies
// held, users without companies; ids that do not exist, repeated ids and
// ids no store can hold are left out, never an error.
func TestStoreSubjects(t *testing.T) {
	ctx := context.Background()
	ws := teststore.Open(t)
	recs := append(dataset(),
		portal.Record{User: &portal.User{ID: "u7", Email: "eve@examply.com", Name: "Eve", CompanyIDs: []string{"c2", "gone", "c1"}}},
		portal.Record{User: &portal.User{ID: "u8", Email: "fay@nowhere.io", Name: "Fay"}},
	)
	importRecords(t, ws, recs)
	ids := []string{"u7", "u1", "u8", "u3", "nobody", "u1", "bad\x00id", "\xff"}
	got, err := ws.Subjects(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]portal.Subject{}
	for _, id := range []string{"u1", "u3", "u7", "u8"} {
		u, err := ws.UserByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := ws.Subject(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		want[id] = sub
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Subjects differs from UserByID and Subject (-one by one +batch):\n%s", d)
	}
	if ids := got["u7"].User.CompanyIDs; !cmp.Equal(ids, []string{"c2", "gone", "c1"}) {
		t.Errorf("Eve's companies %v, want c2, gone, c1 in order", ids)
	}
	if cs := got["u7"].Companies; len(cs) != 2 || cs[0].ID != "c2" || cs[1].ID != "c1" {
		t.Errorf("Eve's companies held: %+v", cs)
	}
	if none, err := ws.Subjects(ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("no ids: %v, %v", none, err)
	}
}
