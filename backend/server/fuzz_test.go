package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// FuzzIdentityToken: the identity-token check never panics, and never
// accepts a token that is not an HS256 JWT signed with the secret, whose
// exp is in the future and that names a known contact. The fuzzer varies
// a raw token, and a header and claims that it signs with the secret, with
// another key, or not at all.
func FuzzIdentityToken(f *testing.F) {
	ctx := context.Background()
	ws, err := sqlite.Open(filepath.Join(f.TempDir(), "workspace.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { ws.Close() })
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
	}, sqlite.ImportOptions{Strict: true}); err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	secret := []byte("fuzz-identity-secret-0123456789ab")
	s, err := New(Config{WS: ws, IdentitySecret: secret, SessionKey: []byte("fuzz-session-key-0123456789abcdef"), Slug: "acme", Now: func() time.Time { return now }})
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
		if !gotExp.After(now) {
			t.Fatalf("accepted an expired token (exp %s)", gotExp)
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
	})
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
