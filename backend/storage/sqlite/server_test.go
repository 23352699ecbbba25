package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/demo"
	"portalstudio/backend/intercom"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

func TestPutLive(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	ws.Now = func() time.Time { return t0 }

	st, err := ws.PutLive(ctx, []byte(`{"preview_column": false}`), 0)
	if err != nil || st.Version != 1 || st.PreviewColumn {
		t.Fatalf("first put = %+v, %v; want version 1 with the Preview column off", st, err)
	}
	t.Run("Stale", func(t *testing.T) {
		_, err := ws.PutLive(ctx, []byte(`{"preview_column": true}`), 0)
		var stale *portal.StaleError
		if !errors.As(err, &stale) || portal.ErrorCode(err) != portal.EPRECONDITION {
			t.Fatalf("put from version 0 after version 1: %v; want a StaleError", err)
		}
		if stale.Current.Version != 1 || stale.Current.PreviewColumn {
			t.Fatalf("stale.Current = %+v; want version 1", stale.Current)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		_, err := ws.PutLive(ctx, []byte(`{"preview_column": "yes", "access": {"rule": {"all": [{"attribute": "user.nope", "operator": "equals", "value": 1}]}}}`), 1)
		var pe *portal.Error
		if !errors.As(err, &pe) || pe.Code != portal.EINVALID || len(pe.Problems) < 2 {
			t.Fatalf("invalid put: %v; want EINVALID with every problem", err)
		}
		if !strings.Contains(err.Error()+fmt.Sprint(pe.Problems), "access.rule.all[0].attribute") {
			t.Errorf("problems %v do not name access.rule.all[0].attribute", pe.Problems)
		}
		if v, _ := ws.LiveVersion(ctx); v != 1 {
			t.Fatalf("live version after an invalid put = %d, want 1", v)
		}
	})
	st, err = ws.PutLive(ctx, []byte(`{"preview_column": true, "messenger": {"tickets_space": true}}`), portal.AnyVersion)
	if err != nil || st.Version != 2 {
		t.Fatalf("put with AnyVersion = %+v, %v", st, err)
	}
	vs, err := ws.Versions(ctx, 10)
	if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[1].Version != 1 {
		t.Fatalf("versions = %+v, %v; want 2 then 1", vs, err)
	}
	if vs[0].Summary != "changed messenger.tickets_space, preview_column" || vs[1].Summary != "changed preview_column" || !vs[0].CreatedAt.Equal(t0) {
		t.Errorf("summaries %+v", vs)
	}
	v1, err := ws.Version(ctx, 1)
	if err != nil || v1.Version != 1 || v1.PreviewColumn {
		t.Fatalf("version 1 = %+v, %v", v1, err)
	}
	if _, err := ws.Version(ctx, 9); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Fatalf("version 9: %v; want ENOTFOUND", err)
	}

	t.Run("Restore", func(t *testing.T) {
		if _, err := ws.RestoreLive(ctx, 1, 1); portal.ErrorCode(err) != portal.EPRECONDITION {
			t.Fatalf("restore with a stale If-Match: %v", err)
		}
		st, err := ws.RestoreLive(ctx, 1, 2)
		if err != nil || st.Version != 3 || !st.Equal(v1) {
			t.Fatalf("restore 1 = %+v, %v; want version 3 equal to version 1", st, err)
		}
		vs, _ := ws.Versions(ctx, 10)
		if len(vs) != 3 || !strings.HasPrefix(vs[0].Summary, "restored version 1: ") {
			t.Fatalf("versions after restore: %+v", vs)
		}
		if _, err := ws.RestoreLive(ctx, 42, portal.AnyVersion); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("restore 42: %v; want ENOTFOUND", err)
		}
		live, _ := ws.Live(ctx)
		if live.Version != 3 || !live.Equal(v1) {
			t.Fatalf("live after restore = %+v", live)
		}
	})
}

// Of many writers from the same version, exactly one wins.
func TestPutLiveConcurrent(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = ws.PutLive(ctx, []byte(fmt.Sprintf(`{"help_center": {"live": true, "sections": [{"id": "s%d", "title": "S", "kind": "collection", "visible": true}]}}`, i)), 0)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case portal.ErrorCode(err) != portal.EPRECONDITION:
			t.Errorf("a losing writer got %v, want EPRECONDITION", err)
		}
	}
	if v, _ := ws.LiveVersion(ctx); won != 1 || v != 1 {
		t.Fatalf("%d writers won, live version %d; want exactly one, version 1", won, v)
	}
}

func TestSecrets(t *testing.T) {
	ctx := context.Background()
	const name = "test_secret"
	ws := MustOpen(t)
	if v, err := ws.Secret(ctx, name); v != nil || err != nil {
		t.Fatalf("unset secret = %v, %v", v, err)
	}
	calls := 0
	gen := func() ([]byte, error) { calls++; return []byte(fmt.Sprintf("key-%d", calls)), nil }
	a, err := ws.EnsureSecret(ctx, name, gen)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ws.EnsureSecret(ctx, name, gen)
	if err != nil || string(a) != "key-1" || string(b) != "key-1" || calls != 1 {
		t.Fatalf("EnsureSecret twice = %q, %q (%d calls), %v", a, b, calls, err)
	}
	if err := ws.SetSecret(ctx, name, []byte("other")); err != nil {
		t.Fatal(err)
	}
	if v, _ := ws.Secret(ctx, name); string(v) != "other" {
		t.Fatalf("after SetSecret: %q", v)
	}
}

func TestUserByEmail(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	MustImport(t, ws,
		portal.Record{User: &portal.User{ID: "u1", Email: "Ann@Examply.com", CompanyIDs: []string{"c1"}}},
		portal.Record{User: &portal.User{ID: "u2", Email: "shared@examply.com"}},
		portal.Record{User: &portal.User{ID: "u3", Email: "SHARED@examply.com"}},
	)
	if u, err := ws.UserByEmail(ctx, "ann@examply.COM"); err != nil || u.ID != "u1" || len(u.CompanyIDs) != 1 {
		t.Fatalf("ann = %+v, %v", u, err)
	}
	if _, err := ws.UserByEmail(ctx, "shared@examply.com"); portal.ErrorCode(err) != portal.ECONFLICT {
		t.Fatalf("shared email: %v; want ECONFLICT (ambiguous)", err)
	}
	if _, err := ws.UserByEmail(ctx, "nobody@examply.com"); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Fatalf("unknown email: %v", err)
	}
	if u, err := ws.UserByID(ctx, "u3"); err != nil || u.ID != "u3" {
		t.Fatalf("UserByID = %+v, %v", u, err)
	}
	if _, err := ws.UserByID(ctx, "nope"); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Fatalf("UserByID(nope): %v", err)
	}
}

// TestUserByEmailLookalikes is the account takeover of issue 15: an email
// that only folds to a contact's address (an accent, fullwidth letters, a
// combining mark) must not name that contact. Case alone may differ.
func TestUserByEmailLookalikes(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	MustImport(t, ws,
		portal.Record{User: &portal.User{ID: "bob", Email: "bob.chen@examply.com"}},
		portal.Record{User: &portal.User{ID: "u-plain", Email: "rene@x.com"}},
		portal.Record{User: &portal.User{ID: "u-accent", Email: "rené@x.com"}},
	)
	for _, email := range []string{
		"böb.chen@examply.com",
		"ｂｏｂ.ｃｈｅｎ@examply.com",
		"bo\u0308b.chen@examply.com", // a combining diaeresis
		"BÖB.CHEN@examply.com",
	} {
		if u, err := ws.UserByEmail(ctx, email); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Errorf("UserByEmail(%q) = %+v, %v; want ENOTFOUND (only the folding matches)", email, u, err)
		}
	}
	if u, err := ws.UserByEmail(ctx, "Bob.Chen@Examply.com"); err != nil || u.ID != "bob" {
		t.Errorf("the same address in other case = %+v, %v; want bob", u, err)
	}
	for email, id := range map[string]string{"rene@x.com": "u-plain", "René@X.com": "u-accent", "rené@x.com": "u-accent"} {
		if u, err := ws.UserByEmail(ctx, email); err != nil || u.ID != id {
			t.Errorf("UserByEmail(%q) = %+v, %v; want %s", email, u, err, id)
		}
	}
}

// snapshotOf writes a workspace's snapshot as the server does: a header
// line, then Intercom objects.
func snapshotOf(t *testing.T, ws *sqlite.Workspace) (portal.SnapshotHeader, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := intercom.NewWriter(&buf)
	var hdr portal.SnapshotHeader
	err := ws.Snapshot(context.Background(), func(h portal.SnapshotHeader) error {
		hdr = h
		return w.WriteValue(h)
	}, w.Write)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return hdr, buf.Bytes()
}

// loadSnapshot imports a snapshot into a new workspace, as sync pull does.
func loadSnapshot(t *testing.T, snap []byte) *sqlite.Workspace {
	t.Helper()
	br := bufio.NewReader(bytes.NewReader(snap))
	line, err := br.ReadBytes('\n')
	if err != nil {
		t.Fatal(err)
	}
	var h portal.SnapshotHeader
	if err := json.Unmarshal(line, &h); err != nil {
		t.Fatal(err)
	}
	ws := MustOpen(t)
	// Something to replace.
	MustImport(t, ws, portal.Record{User: &portal.User{ID: "stale", Email: "stale@example.com"}})
	_, err = ws.Import(context.Background(), func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		return intercom.Read("snapshot", br, emit)
	}, portal.ImportOptions{Replace: true, Strict: true, Attributes: h.Attributes, TicketTypes: h.TicketTypes})
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// A snapshot imported into another workspace gives back the same dataset:
// the copy's own snapshot is byte for byte the original's.
func TestSnapshotRoundTrip(t *testing.T) {
	ws := MustOpen(t)
	err := demo.Generate(demo.Options{Users: 120, Companies: 12, Tickets: 300, Seed: 7}, func(r portal.Record) error {
		MustImport(t, ws, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The first type seen for a custom attribute is its type: licence is a
	// string here, though the user imported later holds a number, and the
	// order of a snapshot's records must not change that.
	MustImport(t, ws,
		portal.Record{User: &portal.User{ID: "zz-late", Email: "late@examply.com", Custom: map[string]portal.Value{"licence": portal.StringValue("ten")},
			CompanyIDs: []string{"c-missing", "c-also-missing"}}},
		portal.Record{User: &portal.User{ID: "aa-early", Email: "early@examply.com", Custom: map[string]portal.Value{"licence": {Kind: portal.KindNumber, Num: 3}}}},
		portal.Record{User: &portal.User{ID: "zz-late", Email: "late@examply.com", Custom: map[string]portal.Value{"licence": {Kind: portal.KindNumber, Num: 4},
			"renewal": portal.DateValue(t0.Add(1500 * time.Millisecond))}, CompanyIDs: []string{"c-missing", "c-also-missing"}}},
		portal.Record{Ticket: &portal.Ticket{ID: "orphan-type", TicketID: "99999", Category: portal.CategoryTracker, TypeID: "tt-lonely"},
			TicketType: &portal.TicketType{ID: "tt-lonely", Name: "Lonely", Category: portal.CategoryTracker}},
		portal.Record{Ticket: &portal.Ticket{ID: "orphan-type", TicketID: "99999", Category: portal.CategoryTracker}},
	)
	hdr, snap := snapshotOf(t, ws)
	c := counts(t, ws)
	if hdr.Counts != c {
		t.Fatalf("header counts %+v, workspace %+v", hdr.Counts, c)
	}
	cp := loadSnapshot(t, snap)
	hdr2, snap2 := snapshotOf(t, cp)
	if diff := cmp.Diff(hdr, hdr2); diff != "" {
		t.Errorf("the copy's header differs (-original +copy):\n%s", diff)
	}
	if !bytes.Equal(snap, snap2) {
		a, b := strings.Split(string(snap), "\n"), strings.Split(string(snap2), "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("the copy's snapshot differs at line %d:\n%s\n%s", i+1, a[i], b[i])
			}
		}
		t.Fatalf("the copy's snapshot has %d lines, the original %d", len(b), len(a))
	}
	s1, _ := ws.Schema(context.Background())
	s2, _ := cp.Schema(context.Background())
	if a, _ := s2.Lookup("user.custom.licence"); a.Kind != portal.KindString {
		t.Fatalf("the copy's user.custom.licence is a %s, want string", a.Kind)
	}
	if diff := cmp.Diff(s1.Attributes(), s2.Attributes()); diff != "" {
		t.Errorf("schemas differ:\n%s", diff)
	}
	u, err := cp.UserByID(context.Background(), "zz-late")
	if err != nil || fmt.Sprint(u.CompanyIDs) != "[c-missing c-also-missing]" || !u.Custom["renewal"].Time.Equal(t0.Add(1500*time.Millisecond)) {
		t.Fatalf("zz-late in the copy = %+v, %v", u, err)
	}
}

// A snapshot is read in a transaction that does not block writers.
func TestSnapshotDoesNotBlockWrites(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	MustImport(t, ws, portal.Record{Company: &portal.Company{ID: "c1"}}, portal.Record{Company: &portal.Company{ID: "c2"}})
	n := 0
	err := ws.Snapshot(ctx, func(portal.SnapshotHeader) error { return nil }, func(portal.Record) error {
		n++
		if n == 1 {
			wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			if _, err := ws.PutLive(wctx, []byte(`{}`), portal.AnyVersion); err != nil {
				return fmt.Errorf("a write during a snapshot: %w", err)
			}
		}
		return nil
	})
	if err != nil || n != 2 {
		t.Fatalf("snapshot: %d records, %v", n, err)
	}
}
