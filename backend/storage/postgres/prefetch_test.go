package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/postgres"
)

// TestReadCacheNeverStale: a replica that keeps the live settings and the
// schema parsed (CacheReads) answers, on its next read, every change made
// through another replica of the same database: a settings write, a
// sync's write of the same version number, an import that adds an
// attribute and a user, one that changes a user and their companies,
// ended sessions, a sign-out and a new identity
// secret; and it does so under concurrent reads (run with -race).
func TestReadCacheNeverStale(t *testing.T) {
	ctx := context.Background()
	writer, url := openPG(t)
	reader, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	reader.CacheReads()
	if _, err := writer.Import(ctx, source(imports()[0]), portal.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := writer.EnsureSessionEpoch(ctx); err != nil {
		t.Fatal(err)
	}
	user := demo.UserID(3)

	// same checks that the reader's prefetch, Live and Schema equal what
	// the writer (no cache) reads now.
	same := func(step, sessionID, userID string) *portal.Prefetched {
		t.Helper()
		for range 2 { // the second read is the cache's
			pre, err := reader.Prefetch(ctx, sessionID, userID)
			if err != nil {
				t.Fatalf("%s: prefetch: %v", step, err)
			}
			live, err := writer.Live(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := string(pre.Live.Canonical()), string(live.Canonical()); got != want || pre.Live.Version != live.Version {
				t.Fatalf("%s: the prefetched live settings are version %d %s; the database holds version %d %s", step, pre.Live.Version, got, live.Version, want)
			}
			cached, err := reader.Live(ctx)
			if err != nil || cached.Version != live.Version || string(cached.Canonical()) != string(live.Canonical()) {
				t.Fatalf("%s: Live through the cache: %v, %v", step, cached, err)
			}
			sch, err := writer.Schema(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(sch.Attributes(), pre.Schema.Attributes()); d != "" {
				t.Fatalf("%s: prefetched schema (-database +prefetched):\n%s", step, d)
			}
			csch, err := reader.Schema(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(sch.Attributes(), csch.Attributes()); d != "" {
				t.Fatalf("%s: Schema through the cache (-database +cached):\n%s", step, d)
			}
			ep, revoked, err := writer.SessionState(ctx, sessionID)
			if err != nil {
				t.Fatal(err)
			}
			if pre.Epoch.Generation != ep.Generation || string(pre.Epoch.Salt) != string(ep.Salt) || pre.Revoked != revoked {
				t.Fatalf("%s: prefetched session %d/%v, the database's %d/%v", step, pre.Epoch.Generation, pre.Revoked, ep.Generation, revoked)
			}
			secret, err := writer.Secret(ctx, portal.SecretIdentity)
			if err != nil || string(secret) != string(pre.IdentitySecret) {
				t.Fatalf("%s: prefetched secret %q, the database's %q (%v)", step, pre.IdentitySecret, secret, err)
			}
			u, err := writer.UserByID(ctx, userID)
			if portal.ErrorCode(err) == portal.ENOTFOUND {
				if pre.User != nil {
					t.Fatalf("%s: prefetched a user %s the database does not have", step, userID)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			sub, err := writer.Subject(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(sub, pre.Subject); d != "" {
				t.Fatalf("%s: prefetched subject (-database +prefetched):\n%s", step, d)
			}
		}
		pre, _ := reader.Prefetch(ctx, sessionID, userID)
		return pre
	}

	same("first read", "s-1", user)
	if _, err := writer.PutLive(ctx, []byte(`{"portal": {"enabled": true}, "identity_verification": true, "preview_column": true}`), portal.AnyVersion); err != nil {
		t.Fatal(err)
	}
	if pre := same("a settings write", "s-1", user); pre.Live.Version != 1 || !pre.Live.Portal.Enabled {
		t.Fatalf("after the write: version %d, enabled %v", pre.Live.Version, pre.Live.Portal.Enabled)
	}
	// A sync writes the live settings with the version it brought: the
	// same number, another document.
	cur, err := writer.Live(ctx)
	if err != nil {
		t.Fatal(err)
	}
	next := cur.Clone()
	next.Portal.Enabled = false
	if err := writer.SetLive(ctx, next); err != nil {
		t.Fatal(err)
	}
	if pre := same("the same version number rewritten", "s-1", user); pre.Live.Version != cur.Version || pre.Live.Portal.Enabled {
		t.Fatalf("after SetLive of the same version: version %d, enabled %v", pre.Live.Version, pre.Live.Portal.Enabled)
	}
	// An import adding an attribute and a user.
	if _, err := writer.Import(ctx, source([]portal.Record{{User: &portal.User{ID: "late", Email: "late@examply.com",
		Custom: map[string]portal.Value{"tier": portal.StringValue("Gold")}, CompanyIDs: []string{demo.CompanyID(2)}}}}), portal.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if pre := same("an import", "s-1", "late"); pre.User == nil {
		t.Fatal("the imported user is not prefetched")
	} else if _, ok := pre.Schema.Lookup("user.custom.tier"); !ok {
		t.Fatal("the imported attribute is not in the prefetched schema")
	}
	same("a user no one has", "s-1", "nobody")
	// An import that renames a user and moves them to other companies.
	before := same("before a user changes", "s-1", user)
	if _, err := writer.Import(ctx, source([]portal.Record{{User: &portal.User{ID: user, Email: before.User.Email, Name: "Renamed",
		CompanyIDs: []string{demo.CompanyID(7), demo.CompanyID(8)}}}}), portal.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if pre := same("a user changed", "s-1", user); pre.User.Name != "Renamed" || len(pre.Subject.Companies) != 2 {
		t.Fatalf("after the user changed: %q with %d companies", pre.User.Name, len(pre.Subject.Companies))
	}
	if _, err := writer.EndSessions(ctx); err != nil {
		t.Fatal(err)
	}
	same("ended sessions", "s-1", user)
	if err := writer.RevokeSession(ctx, "s-1", t0.Add(time.Hour), t0); err != nil {
		t.Fatal(err)
	}
	if pre := same("a sign-out", "s-1", user); !pre.Revoked {
		t.Fatal("the signed-out session is not revoked")
	}
	if err := writer.SetSecret(ctx, portal.SecretIdentity, []byte("a new identity secret, 32 bytes!")); err != nil {
		t.Fatal(err)
	}
	same("a new secret", "s-1", user)
	if _, err := writer.Import(ctx, source(imports()[0][:20]), portal.ImportOptions{Replace: true}); err != nil {
		t.Fatal(err)
	}
	same("a replace import", "s-1", "late")

	// Concurrent reads while another replica writes: every read returns
	// a version at least as new as the last one committed before it
	// began.
	var committed atomic.Int64
	v, err := writer.LiveVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	committed.Store(int64(v))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				floor := committed.Load()
				var got int
				if i%2 == 0 {
					pre, err := reader.Prefetch(ctx, "s-2", user)
					if err != nil {
						t.Error(err)
						return
					}
					got = pre.Live.Version
				} else {
					st, err := reader.Live(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					got = st.Version
				}
				if int64(got) < floor {
					t.Errorf("a read began after version %d was committed and answered version %d", floor, got)
					return
				}
			}
		})
	}
	for i := range 20 {
		st, err := writer.PutLive(ctx, []byte(fmt.Sprintf(`{"preview_column": %v}`, i%2 == 0)), portal.AnyVersion)
		if err != nil {
			t.Fatal(err)
		}
		committed.Store(int64(st.Version))
	}
	close(stop)
	wg.Wait()
}
