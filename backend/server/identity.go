package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"portalstudio/backend/portal"
)

// Identity tokens and sessions.
const (
	// sessionCookie is the name of the portal's session cookie.
	sessionCookie = "portal_session"
	// maxSession bounds a session's life; a token that expires sooner
	// ends it sooner.
	maxSession = 12 * time.Hour
	// maxTokenSize bounds an identity token or a session cookie.
	maxTokenSize = 8 << 10
)

// identityClaims are the claims of an identity token.
type identityClaims struct {
	UserID idClaim `json:"user_id"`
	Email  string  `json:"email"`
	jwt.RegisteredClaims
}

// idClaim is a user_id claim, written as a string or a number.
type idClaim string

func (c *idClaim) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*c = idClaim(s)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("user_id must be a string or a number")
	}
	*c = idClaim(n.String())
	return nil
}

func unauthorized(format string, args ...any) error {
	return portal.Errorf(portal.EUNAUTHORIZED, format, args...)
}

// verifyToken checks an identity token (HS256 only, signed with the
// identity-verification secret, exp required and in the future) and
// returns the contact it names: by user_id (the contact's external_id)
// when it has one, else by email, which must belong to exactly one
// contact. Every failure is EUNAUTHORIZED.
func (s *Server) verifyToken(ctx context.Context, raw string) (*portal.User, time.Time, error) {
	if len(raw) > maxTokenSize {
		return nil, time.Time{}, unauthorized("the identity token is too long")
	}
	var claims identityClaims
	_, err := jwt.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return s.identitySecret, nil },
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.now),
	)
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, time.Time{}, unauthorized("the identity token has expired; sign a new one")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return nil, time.Time{}, unauthorized("the identity token has no exp claim; it must say when it expires")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return nil, time.Time{}, unauthorized("the identity token is not signed with this portal's identity-verification secret (HS256)")
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return nil, time.Time{}, unauthorized("the identity token is not valid yet")
	default:
		return nil, time.Time{}, unauthorized("the identity token is not a valid JWT signed with HS256")
	}
	exp := claims.ExpiresAt.Time
	var u *portal.User
	switch {
	case claims.UserID != "":
		u, err = s.ws.ByExternalID(ctx, string(claims.UserID))
	case strings.TrimSpace(claims.Email) != "":
		u, err = s.ws.UserByEmail(ctx, claims.Email)
		if portal.ErrorCode(err) == portal.ECONFLICT {
			return nil, time.Time{}, unauthorized("the identity token's email belongs to more than one contact (ambiguous); identify the user by user_id")
		}
	default:
		return nil, time.Time{}, unauthorized("the identity token names no user; give a user_id or an email claim")
	}
	if portal.ErrorCode(err) == portal.ENOTFOUND {
		return nil, time.Time{}, unauthorized("the identity token names a user this portal does not know")
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	return u, exp, nil
}

// sessionMAC signs a session: the slug, the user's id and the expiry.
func (s *Server) sessionMAC(userID string, exp int64) []byte {
	m := hmac.New(sha256.New, s.sessionKey)
	m.Write([]byte("portalstudio session v1\x00"))
	m.Write([]byte(s.slug))
	m.Write([]byte{0})
	m.Write([]byte(userID))
	m.Write([]byte{0})
	m.Write([]byte(strconv.FormatInt(exp, 10)))
	return m.Sum(nil)
}

// newSession returns a session cookie's value: v1.<user id>.<expiry>.<mac>,
// each part base64url (the expiry in decimal).
func (s *Server) newSession(userID string, exp time.Time) string {
	e := exp.Unix()
	enc := base64.RawURLEncoding
	return "v1." + enc.EncodeToString([]byte(userID)) + "." + strconv.FormatInt(e, 10) + "." + enc.EncodeToString(s.sessionMAC(userID, e))
}

// readSession checks a session cookie's value and returns the user's id.
func (s *Server) readSession(v string) (string, error) {
	bad := unauthorized("the session is not valid; sign in again with a new identity token")
	if len(v) > maxTokenSize {
		return "", bad
	}
	parts := strings.Split(v, ".")
	if len(parts) != 4 || parts[0] != "v1" {
		return "", bad
	}
	enc := base64.RawURLEncoding
	id, err1 := enc.DecodeString(parts[1])
	exp, err2 := strconv.ParseInt(parts[2], 10, 64)
	mac, err3 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil || err3 != nil || len(id) == 0 {
		return "", bad
	}
	if !hmac.Equal(mac, s.sessionMAC(string(id), exp)) {
		return "", bad
	}
	if !s.now().Before(time.Unix(exp, 0)) {
		return "", unauthorized("the session has expired; sign in again with a new identity token")
	}
	return string(id), nil
}

// bearer returns the Bearer token of a request, or "".
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// portalUser returns the end user a portal request comes from: the
// identity token given as a Bearer token, else the session cookie. It
// returns EUNAUTHORIZED when there is neither or it is not valid.
func (s *Server) portalUser(r *http.Request) (*portal.User, error) {
	if tok := bearer(r); tok != "" {
		u, _, err := s.verifyToken(r.Context(), tok)
		return u, err
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, unauthorized("sign in: send an identity token as Authorization: Bearer, or exchange it for a session at POST %ssession", s.portalPath())
	}
	id, err := s.readSession(c.Value)
	if err != nil {
		return nil, err
	}
	u, err := s.ws.UserByID(r.Context(), id)
	if portal.ErrorCode(err) == portal.ENOTFOUND {
		return nil, unauthorized("the session's user is no longer known to this portal; sign in again")
	}
	return u, err
}
