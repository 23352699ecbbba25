package sqlite_test

import (
	"bytes"
	"context"
	"testing"
	"time"
)

func TestSessionEpoch(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	if ep, revoked, err := ws.SessionState(ctx, "s1"); err != nil || ep.Generation != 0 || revoked {
		t.Fatalf("before any session: %+v %v %v; want generation 0", ep, revoked, err)
	}
	a, err := ws.EnsureSessionEpoch(ctx)
	if err != nil || a.Generation != 1 || len(a.Salt) != 32 {
		t.Fatalf("first epoch = %+v, %v", a, err)
	}
	if b, err := ws.EnsureSessionEpoch(ctx); err != nil || b.Generation != 1 || !bytes.Equal(a.Salt, b.Salt) {
		t.Fatalf("EnsureSessionEpoch again = %+v, %v; want the same", b, err)
	}
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	if err := ws.RevokeSession(ctx, "s1", now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if err := ws.RevokeSession(ctx, "old", now.Add(-time.Second), now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ep, revoked, err := ws.SessionState(ctx, "s1"); err != nil || ep.Generation != 1 || !revoked {
		t.Fatalf("s1 after sign-out: %+v %v %v; want revoked", ep, revoked, err)
	}
	if _, revoked, _ := ws.SessionState(ctx, "s2"); revoked {
		t.Fatal("s2 is revoked, yet only s1 signed out")
	}
	// A later sign-out prunes what has expired.
	if err := ws.RevokeSession(ctx, "s3", now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if _, revoked, _ := ws.SessionState(ctx, "old"); revoked {
		t.Fatal("an expired revoked session was not pruned")
	}
	c, err := ws.EndSessions(ctx)
	if err != nil || c.Generation != 2 || bytes.Equal(c.Salt, a.Salt) {
		t.Fatalf("EndSessions = %+v, %v; want generation 2 with a new salt", c, err)
	}
	if ep, revoked, err := ws.SessionState(ctx, "s1"); err != nil || ep.Generation != 2 || !bytes.Equal(ep.Salt, c.Salt) || revoked {
		t.Fatalf("after EndSessions: %+v %v %v", ep, revoked, err)
	}
}
