package server

import (
	"context"
	"encoding/base64"
	"portalstudio/backend/audience"
	"strconv"
	"strings"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/internal/teststore"
)

// TestSessionCapOnRead: a cookie whose MAC is valid (made with the real
// key: the identity secret and the workspace together) but whose expiry
// is 10 years ahead is refused. The 12-hour cap holds when the cookie is
// read, not only when it is made.
func TestSessionCapOnRead(t *testing.T) {
	ctx := context.Background()
	ws := teststore.Open(t)
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	s, err := New(Config{Store: ws, Audiences: audience.NewEngine(ws, audience.Options{}), IdentitySecret: []byte("cap-identity-secret-0123456789abc"), Slug: "acme", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ep, err := ws.EnsureSessionEpoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	mint := func(ahead time.Duration) string {
		ss := session{gen: ep.Generation, id: enc.EncodeToString([]byte("0123456789abcdef")), userID: "u1", exp: now.Add(ahead).Unix()}
		return strings.Join([]string{"v2", strconv.FormatInt(ss.gen, 10), ss.id, enc.EncodeToString([]byte(ss.userID)),
			strconv.FormatInt(ss.exp, 10), enc.EncodeToString(ss.mac("acme", s.sessionKey(s.identitySecret, ep)))}, ".")
	}
	// The minted cookie is right: within the cap, it is accepted.
	if ss, err := s.readSession(ctx, mint(11*time.Hour)); err != nil || ss.userID != "u1" {
		t.Fatalf("a minted 11-hour cookie: %+v, %v; want accepted", ss, err)
	}
	for _, ahead := range []time.Duration{10 * 365 * 24 * time.Hour, 13 * time.Hour} {
		if _, err := s.readSession(ctx, mint(ahead)); portal.ErrorCode(err) != portal.EUNAUTHORIZED {
			t.Fatalf("a validly MACed cookie expiring %s ahead: %v; want EUNAUTHORIZED", ahead, err)
		}
	}
}
