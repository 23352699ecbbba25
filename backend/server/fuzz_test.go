package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"portalstudio/backend/audience"
	"strings"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/internal/teststore"
)

// FuzzIdentityToken: the identity-token check never panics, and never
// accepts a token that is not an HS256 JWT signed with the secret, whose
// exp is in the future (up to the clock skew) and at most 24 hours ahead,
// whose nbf has passed, whose aud (when present) names the portal, and
// that names a known contact. The fuzzer varies
// a raw token, and a header and claims that it signs with the secret, with
// another key, or not at all.
func FuzzIdentityToken(f *testing.F) {
	ctx := context.Background()
	ws := teststore.Open(f)
	recs := []portal.Record{
		{User: &portal.User{ID: "u1", ExternalID: "ann-ext", Email: "ann@examply.com", Name: "Ann"}},
		{User: &portal.User{ID: "u2", ExternalID: "42", Email: "ben@examply.com"}},
		{User: &portal.User{ID: "u3", Email: "shared@examply.com"}},
		{User: &portal.User{ID: "u4", Email: "SHARED@examply.com"}},
	}
	if _, err := ws.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		for _, r := range recs {
			if err := emit(r); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}, portal.ImportOptions{Strict: true}); err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	secret := []byte("fuzz-identity-secret-0123456789ab")
	s, err := New(Config{Store: ws, Audiences: audience.NewEngine(ws, audience.Options{}), IdentitySecret: secret, Slug: "acme", BaseURL: "https://help.example.com", Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	exp := now.Add(time.Hour).Unix()
	hs := `{"alg":"HS256","typ":"JWT"}`
	f.Add("", []byte(hs), []byte(`{"user_id":"ann-ext","exp":`+itoa(exp)+`}`), uint8(1))
	f.Add("", []byte(hs), []byte(`{"user_id":42,"exp":`+itoa(exp)+`}`), uint8(1))
	f.Add("", []byte(hs), []byte(`{"email":"ANN@examply.com","exp":`+itoa(exp)+`}`), uint8(1))
	f.Add("", []byte(hs), []byte(`{"email":"shared@examply.com","exp":`+itoa(exp)+`}`), uint8(1))
	f.Add("", []byte(hs), []byte(`{"user_id":"ann-ext","exp":`+itoa(now.Unix()-1)+`}`), uint8(1))
	f.Add("", []byte(hs), []byte(`{"user_id":"ann-ext"}`), uint8(1))
	f.Add("", []byte(hs), []byte(`{"user_id":"ann-ext","exp":`+itoa(exp)+`}`), uint8(2))
	f.Add("", []byte(`{"alg":"none"}`), []byte(`{"user_id":"ann-ext","exp":`+itoa(exp)+`}`), uint8(3))
	f.Add("", []byte(`{"alg":"HS512"}`), []byte(`{"user_id":"ann-ext","exp":`+itoa(exp)+`}`), uint8(1))
	f.Add("", []byte(hs), []byte(`{"user_id":null,"email":"","exp":1e30}`), uint8(1))
	f.Add("", []byte(hs), []byte(`{"user_id":"ann-ext","exp":"soon","nbf":`+itoa(exp)+`}`), uint8(1))
	f.Add("", []byte(hs), []byte(`{"user_id":"ann-ext","exp":`+itoa(now.Add(10*365*24*time.Hour).Unix())+`}`), uint8(1))
	f.Add("", []byte(hs), []byte(`{"user_id":"ann-ext","exp":`+itoa(now.Add(23*time.Hour).Unix())+`}`), uint8(1))
	f.Add("", []byte(hs), []byte(`{"user_id":"ann-ext","exp":`+itoa(exp)+`,"nbf":`+itoa(now.Add(time.Hour).Unix())+`}`), uint8(1))
	f.Add("", []byte(hs), []byte(`{"user_id":"ann-ext","exp":`+itoa(exp)+`,"aud":"acme"}`), uint8(1))
	f.Add("", []byte(hs), []byte(`{"user_id":"ann-ext","exp":`+itoa(exp)+`,"aud":["other","https://help.example.com/portal/acme/"]}`), uint8(1))
	f.Add("", []byte(hs), []byte(`{"user_id":"ann-ext","exp":`+itoa(exp)+`,"aud":"https://evil.example/portal/acme/"}`), uint8(1))
	f.Add("", []byte(hs), []byte(`{"user_id":"ann-ext","exp":`+itoa(exp)+`,"aud":[]}`), uint8(1))
	f.Add("", []byte(hs), []byte(`{"email":"ÀNN@examply.com","exp":`+itoa(exp)+`}`), uint8(1))
	f.Add("eyJhbGciOiJub25lIn0.eyJ1c2VyX2lkIjoiYW5uLWV4dCJ9.", []byte{}, []byte{}, uint8(0))
	f.Add("a.b.c", []byte{}, []byte{}, uint8(0))
	f.Add(strings.Repeat("A", 9000), []byte{}, []byte{}, uint8(0))
	f.Fuzz(func(t *testing.T, raw string, header, claims []byte, mode uint8) {
		enc := base64.RawURLEncoding
		signed := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
		switch mode % 4 {
		case 1:
			raw = signed + "." + enc.EncodeToString(mac(secret, signed))
		case 2:
			raw = signed + "." + enc.EncodeToString(mac([]byte("another-secret-0123456789abcdef!"), signed))
		case 3:
			raw = signed + "."
		}
		u, gotExp, err := s.verifyToken(ctx, raw)
		if err != nil {
			if portal.ErrorCode(err) != portal.EUNAUTHORIZED {
				t.Fatalf("a refused token must be 401, got %v", err)
			}
			return
		}
		// Accepted: prove it deserved it, independently of the JWT library.
		parts := strings.Split(raw, ".")
		if len(parts) != 3 {
			t.Fatalf("accepted a token of %d parts: %q", len(parts), raw)
		}
		sig, err := enc.DecodeString(parts[2])
		if err != nil || !hmac.Equal(sig, mac(secret, parts[0]+"."+parts[1])) {
			t.Fatalf("accepted a token not signed with the secret: %q", raw)
		}
		var h struct {
			Alg string `json:"alg"`
		}
		hb, _ := enc.DecodeString(parts[0])
		if json.Unmarshal(hb, &h) != nil || h.Alg != "HS256" {
			t.Fatalf("accepted a token whose alg is not HS256: %s", hb)
		}
		if !gotExp.After(now.Add(-clockSkew)) {
			t.Fatalf("accepted an expired token (exp %s)", gotExp)
		}
		if gotExp.After(now.Add(DefaultMaxTokenLifetime + clockSkew)) {
			t.Fatalf("accepted a token living too long (exp %s)", gotExp)
		}
		if u == nil || u.ID == "" {
			t.Fatal("accepted a token without a user")
		}
		cb, _ := enc.DecodeString(parts[1])
		// encoding/json matches claim names without regard to case, so
		// "EXP" counts as exp (the token is signed with the secret all
		// the same).
		if !bytes.Contains(bytes.ToLower(cb), []byte(`"exp"`)) {
			t.Fatalf("accepted a token without exp: %s", cb)
		}
		var c struct {
			Nbf *float64 `json:"nbf"`
			Aud any      `json:"aud"`
		}
		if err := json.Unmarshal(cb, &c); err != nil {
			t.Fatalf("accepted claims that are not a JSON object: %s", cb)
		}
		if c.Nbf != nil && *c.Nbf > float64(now.Add(clockSkew).Unix()) {
			t.Fatalf("accepted a token not valid yet: %s", cb)
		}
		if !audienceNamesPortal(c.Aud) {
			t.Fatalf("accepted a token meant for another audience: %s", cb)
		}
		if email, ok := emailClaim(cb); ok && strings.ToLower(strings.TrimSpace(email)) != strings.ToLower(u.Email) {
			t.Fatalf("the email claim %q signed in %s <%s>", email, u.ID, u.Email)
		}
	})
}

// audienceNamesPortal reports whether an aud claim, as encoding/json
// reads it, is absent or names the fuzzed portal (slug acme at
// https://help.example.com).
func audienceNamesPortal(aud any) bool {
	names := func(v any) bool {
		s, ok := v.(string)
		return ok && (s == "acme" || s == "https://help.example.com/portal/acme/" || s == "https://help.example.com/portal/acme")
	}
	switch a := aud.(type) {
	case nil:
		return true
	case []any:
		for _, v := range a {
			if names(v) {
				return true
			}
		}
		return false
	}
	return names(aud)
}

// emailClaim returns a token's email claim, as encoding/json reads it,
// when it is what names the user (there is no user_id).
func emailClaim(cb []byte) (string, bool) {
	var c struct {
		UserID idClaim `json:"user_id"`
		Email  *string `json:"email"`
	}
	if json.Unmarshal(cb, &c) != nil || c.Email == nil || c.UserID != "" {
		return "", false
	}
	return *c.Email, true
}

func mac(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// FuzzSessionCookie: reading a session cookie never panics, and accepts
// only a cookie that newSession could have made: of the current session
// generation, MACed with that generation's key, expiring in the future
// and at most 12 hours (and the clock skew) ahead, and not signed out.
// The fuzzer varies a raw cookie, and the fields of one it MACs with the
// current key (an attacker holding the key), with a key of another
// generation, or not at all.
func FuzzSessionCookie(f *testing.F) {
	ctx := context.Background()
	ws := teststore.Open(f)
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	s, err := New(Config{Store: ws, Audiences: audience.NewEngine(ws, audience.Options{}), IdentitySecret: []byte("fuzz-identity-secret-0123456789ab"), Slug: "acme", Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := ws.EndSessions(ctx); err != nil { // generation 1
		f.Fatal(err)
	}
	old, _, err := ws.SessionState(ctx, "")
	if err != nil {
		f.Fatal(err)
	}
	valid, err := s.newSession(ctx, "u1", now.Add(time.Hour))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := ws.EndSessions(ctx); err != nil { // generation 2: valid is over
		f.Fatal(err)
	}
	cur, _, err := ws.SessionState(ctx, "")
	if err != nil {
		f.Fatal(err)
	}
	fresh, err := s.newSession(ctx, "u1", now.Add(time.Hour))
	if err != nil {
		f.Fatal(err)
	}
	signedOut, err := s.newSession(ctx, "u2", now.Add(2*time.Hour))
	if err != nil {
		f.Fatal(err)
	}
	so, _, _ := parseSession(signedOut)
	if err := ws.RevokeSession(ctx, so.id, time.Unix(so.exp, 0), now); err != nil {
		f.Fatal(err)
	}
	id := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, sessionIDSize))
	f.Add(fresh, int64(0), "", "", int64(0), uint8(0))
	f.Add(valid, int64(0), "", "", int64(0), uint8(0))
	f.Add(signedOut, int64(0), "", "", int64(0), uint8(0))
	f.Add("v1.dTE.1893456000.AAAA", int64(0), "", "", int64(0), uint8(0))
	f.Add("v2.2...1.", int64(0), "", "", int64(0), uint8(0))
	f.Add("", int64(2), id, "u1", int64(3600), uint8(1))
	f.Add("", int64(2), id, "u1", int64(10*365*24*3600), uint8(1))
	f.Add("", int64(2), id, "u1", int64(-1), uint8(1))
	f.Add("", int64(2), so.id, "u2", int64(3600), uint8(1))
	f.Add("", int64(1), id, "u1", int64(3600), uint8(2))
	f.Add("", int64(2), id, "u1", int64(3600), uint8(3))
	f.Fuzz(func(t *testing.T, raw string, gen int64, sid, user string, ahead int64, mode uint8) {
		enc := base64.RawURLEncoding
		ss := session{gen: gen, id: sid, userID: user, exp: now.Unix() + ahead}
		fields := func(mac []byte) string {
			return strings.Join([]string{sessionVersion, itoa(gen), sid, enc.EncodeToString([]byte(user)), itoa(ss.exp), enc.EncodeToString(mac)}, ".")
		}
		switch mode % 4 {
		case 1:
			raw = fields(ss.mac("acme", s.sessionKey(s.identitySecret, cur)))
		case 2:
			raw = fields(ss.mac("acme", s.sessionKey(s.identitySecret, old)))
		case 3:
			raw = fields(nil)
		}
		got, err := s.readSession(ctx, raw)
		if err != nil {
			if portal.ErrorCode(err) != portal.EUNAUTHORIZED {
				t.Fatalf("a refused session must be 401, got %v", err)
			}
			return
		}
		// Accepted: prove it deserved it, field by field.
		parts := strings.Split(raw, ".")
		if len(parts) != 6 || parts[0] != "v2" || parts[1] != itoa(cur.Generation) {
			t.Fatalf("accepted a cookie not of generation %d: %q", cur.Generation, raw)
		}
		mac, err := enc.DecodeString(parts[5])
		if err != nil || !hmac.Equal(mac, got.mac("acme", s.sessionKey(s.identitySecret, cur))) {
			t.Fatalf("accepted a cookie not MACed with the current key: %q", raw)
		}
		exp := time.Unix(got.exp, 0)
		if !exp.After(now) || exp.Sub(now) > maxSession+clockSkew {
			t.Fatalf("accepted a cookie expiring at %s (now %s)", exp, now)
		}
		if _, revoked, _ := ws.SessionState(ctx, got.id); revoked {
			t.Fatalf("accepted a signed-out session: %q", raw)
		}
		if got.id != parts[2] || enc.EncodeToString([]byte(got.userID)) != parts[3] {
			t.Fatalf("read %+v from %q", got, raw)
		}
	})
}
