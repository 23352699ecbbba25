package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"portalstudio/backend/wire"
)

// Every refused sign-in says why in one word (the answer's reason), which
// the pages word for the customer; the sign-in form posted without the
// WebAssembly is sent back to the sign-in page with that reason.
func TestSignInRefusalReasons(t *testing.T) {
	f := newFixture(t)
	claims := func(extra jwt.MapClaims) string {
		c := jwt.MapClaims{"user_id": "ann-ext", "exp": now.Add(time.Hour).Unix()}
		for k, v := range extra {
			c[k] = v
		}
		return sign(t, jwt.SigningMethodHS256, f.secret, c)
	}
	cases := []struct {
		name, token, reason string
	}{
		{"Expired", claims(jwt.MapClaims{"exp": now.Add(-time.Hour).Unix()}), wire.RefusedExpired},
		{"NotYetValid", claims(jwt.MapClaims{"nbf": now.Add(time.Hour).Unix()}), wire.RefusedNotYetValid},
		{"OtherSecret", sign(t, jwt.SigningMethodHS256, []byte("another secret entirely"), jwt.MapClaims{"user_id": "ann-ext", "exp": now.Add(time.Hour).Unix()}), wire.RefusedInvalid},
		{"NotAToken", "hello", wire.RefusedInvalid},
		{"CutShort", claims(nil)[:40], wire.RefusedInvalid},
		{"TooLongLived", claims(jwt.MapClaims{"exp": now.Add(72 * time.Hour).Unix()}), wire.RefusedInvalid},
		{"OtherAudience", claims(jwt.MapClaims{"aud": "someone-else"}), wire.RefusedInvalid},
		{"UnknownUser", claims(jwt.MapClaims{"user_id": "nobody-ext"}), wire.RefusedUnknownUser},
		{"Missing", "", wire.RefusedMissing},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, path := range []string{"/portal/acme/session", "/portal/acme/session/check"} {
				r := do(t, "POST", f.url+path, jsonBody(map[string]string{"token": c.token}), "Content-Type", "application/json")
				if r.status != http.StatusUnauthorized {
					t.Fatalf("%s: %d %s; want 401", path, r.status, r.body)
				}
				var e struct {
					Error struct{ Code, Message, Reason string }
				}
				if err := json.Unmarshal(r.body, &e); err != nil || e.Error.Code != "unauthorized" || e.Error.Reason != c.reason || e.Error.Message == "" {
					t.Fatalf("%s: %s; want the reason %q", path, r.body, c.reason)
				}
				if len(r.header.Values("Set-Cookie")) != 0 {
					t.Fatalf("%s: a refused sign-in set a cookie", path)
				}
			}
			// The plain form: back to the sign-in page, which says why.
			form := url.Values{"token": {c.token}}
			r := do(t, "POST", f.url+"/portal/acme/session", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded", "Origin", f.url)
			if want := "/portal/acme/login?refused=" + c.reason; r.status != http.StatusSeeOther || r.header.Get("Location") != want {
				t.Fatalf("form post: %d to %q; want 303 to %q", r.status, r.header.Get("Location"), want)
			}
			if len(r.header.Values("Set-Cookie")) != 0 {
				t.Fatal("a refused form post set a cookie")
			}
			if s := wire.SignInRefusal(c.reason); strings.Contains(strings.ToLower(s), "token") || s == wire.SignInRefusal("") {
				t.Fatalf("the customer's sentence for %q: %q", c.reason, s)
			}
		})
	}
	t.Run("PastedLink", func(t *testing.T) {
		// A customer may paste the whole sign-in link into the form.
		link := f.url + "/portal/acme/login?token=" + url.QueryEscape(f.identity(t, "ann-ext"))
		r := do(t, "POST", f.url+"/portal/acme/session", strings.NewReader(url.Values{"token": {" " + link + "\n"}}.Encode()), "Content-Type", "application/x-www-form-urlencoded", "Origin", f.url)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/portal/acme/" || len(r.header.Values("Set-Cookie")) != 1 {
			t.Fatalf("a pasted sign-in link: %d %v", r.status, r.header)
		}
	})
	if got := wire.SignInRefusal(wire.RefusedExpired); got != "This sign-in link has expired — open the portal again from our website." {
		t.Fatalf("expired: %q", got)
	}
}

// GET /portal/<slug>/session names whom the session cookie signs in, so
// that every page shows the name and Sign out; nobody is 401, and a
// session signed out says so (reason session_ended).
func TestCurrentSession(t *testing.T) {
	f := newFixture(t)
	if r := do(t, "GET", f.url+"/portal/acme/session", nil); r.status != http.StatusUnauthorized || r.errorCode(t) != "unauthorized" {
		t.Fatalf("no session: %d %s", r.status, r.body)
	}
	c := startSession(t, f.url, f.identity(t, "ann-ext"))
	cookie := c.Name + "=" + c.Value
	r := do(t, "GET", f.url+"/portal/acme/session", nil, "Cookie", cookie)
	var who struct {
		User      struct{ Email, Name string }
		ExpiresAt time.Time `json:"expires_at"`
	}
	if r.status != 200 || json.Unmarshal(r.body, &who) != nil || who.User.Email != "ann@examply.com" || who.User.Name != "Ann" || !who.ExpiresAt.Equal(c.Expires) {
		t.Fatalf("signed in: %d %s (cookie expires %s)", r.status, r.body, c.Expires)
	}
	if r := do(t, "DELETE", f.url+"/portal/acme/session", nil, "Cookie", cookie, "Origin", f.url); r.status != http.StatusNoContent {
		t.Fatalf("sign out: %d %s", r.status, r.body)
	}
	r = do(t, "GET", f.url+"/portal/acme/session", nil, "Cookie", cookie)
	if r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), `"reason": "session_ended"`) {
		t.Fatalf("after signing out: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", f.url+"/portal/other/session", nil, "Cookie", cookie); r.status != http.StatusNotFound {
		t.Fatalf("another slug: %d", r.status)
	}
}
