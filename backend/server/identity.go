package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// Identity tokens and sessions.
const (
	// sessionCookie is the name of the portal's session cookie.
	sessionCookie = "portal_session"
	// maxSession bounds a session's life; a token that expires sooner
	// ends it sooner. It is checked again whenever a cookie is read.
	maxSession = 12 * time.Hour
	// maxTokenSize bounds an identity token or a session cookie.
	maxTokenSize = 8 << 10
	// DefaultMaxTokenLifetime bounds how far ahead an identity token's
	// exp may be (serve --max-token-lifetime changes it).
	DefaultMaxTokenLifetime = 24 * time.Hour
	// clockSkew is the difference between clocks tolerated: for an
	// identity token's exp and nbf, and for the caps on how far ahead a
	// token's or a session's expiry may be (replicas' clocks differ).
	clockSkew = time.Minute
	// sessionIDSize is the size of a session's random id, in bytes.
	sessionIDSize = 16
	// sessionVersion is the first part of a session cookie. Cookies of
	// another version (v1 was signed with a key stored in the
	// workspace) are refused: their users sign in again.
	sessionVersion = "v2"
)

// identityClaims are the claims of an identity token.
type identityClaims struct {
	UserID idClaim `json:"user_id"`
	Email  string  `json:"email"`
	// Aud is the aud claim as sent: absent (nil) or null, a string, or
	// an array of strings. It shadows RegisteredClaims.Audience, which
	// cannot tell an absent claim from an empty array.
	Aud json.RawMessage `json:"aud"`
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

// errNoSuchUser answers a token that names no contact, or an email that
// several contacts share: the answer does not tell which (the log does).
const errNoSuchUser = "the identity token names no user this portal can sign in; check its user_id or email (the server's log says why)"

// refused logs why a portal credential was refused (never the credential
// itself) and returns the answer: EUNAUTHORIZED with a sentence for the
// integrator, and code (wire.Refused…), which the pages word for the
// customer. what is "identity token" or "session".
func (s *Server) refused(ctx context.Context, what, code, reason, answer string) error {
	s.log.LogAttrs(ctx, slog.LevelInfo, what+" refused", slog.String("reason", reason))
	return &refusal{err: unauthorized("%s", answer), reason: code}
}

// refusal is a portal credential refused, with why in one word
// (wire.Refused…): the answer's "reason".
type refusal struct {
	err    error
	reason string
}

func (e *refusal) Error() string { return e.err.Error() }
func (e *refusal) Unwrap() error { return e.err }

// refusalReason is the reason of a refused credential (wire.Refused…),
// "" for other errors.
func refusalReason(err error) string {
	var rf *refusal
	if errors.As(err, &rf) {
		return rf.reason
	}
	return ""
}

// verifyToken checks an identity token and returns the contact it names
// and the token's expiry. SECURITY: the token must be an HS256 JWT
// signed with the identity-verification secret; its exp is required, in
// the future and at most maxTokenLifetime ahead; its nbf, when present,
// has passed; its aud, when present, names this portal (its URL or its
// slug); each of these up to clockSkew. It names the contact by user_id
// (the contact's external_id) when it has one, else by email, which must
// be exactly one contact's address up to case: the folding of audience
// rules (accents, compatibility forms) never applies to identity. Every
// refusal is EUNAUTHORIZED and logged with its reason.
func (s *Server) verifyToken(ctx context.Context, raw string) (*portal.User, time.Time, error) {
	claims, err := s.parseToken(ctx, raw)
	if err != nil {
		return nil, time.Time{}, err
	}
	u, err := s.tokenUser(ctx, claims)
	if err != nil {
		return nil, time.Time{}, err
	}
	return u, claims.ExpiresAt.Time, nil
}

// parseToken checks an identity token's signature and its time and
// audience claims.
func (s *Server) parseToken(ctx context.Context, raw string) (*identityClaims, error) {
	const what = "identity token"
	if len(raw) > maxTokenSize {
		return nil, s.refused(ctx, what, wire.RefusedInvalid, "longer than 8 KiB", "the identity token is too long")
	}
	key, err := s.secret(ctx)
	if err != nil {
		return nil, err
	}
	var claims identityClaims
	_, err = jwt.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(clockSkew),
		jwt.WithTimeFunc(s.now),
	)
	answer, code := "", wire.RefusedInvalid
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenExpired):
		answer, code = "the identity token has expired; sign a new one", wire.RefusedExpired
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		answer = "the identity token has no exp claim; it must say when it expires"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		answer = "the identity token is not signed with this portal's identity-verification secret (HS256)"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		answer, code = "the identity token is not valid yet (its nbf is in the future); check the clock of the server that signs it", wire.RefusedNotYetValid
	default:
		answer = "the identity token is not a valid JWT signed with HS256"
	}
	if err != nil {
		return nil, s.refused(ctx, what, code, err.Error(), answer)
	}
	if ahead := claims.ExpiresAt.Sub(s.now()); ahead > s.maxTokenLifetime+clockSkew {
		return nil, s.refused(ctx, what, wire.RefusedInvalid, fmt.Sprintf("exp is %s ahead, more than the %s allowed", shortDuration(ahead), shortDuration(s.maxTokenLifetime)),
			fmt.Sprintf("the identity token lives too long: its exp must be at most %s ahead; sign tokens that expire sooner", shortDuration(s.maxTokenLifetime)))
	}
	if reason := s.audienceProblem(claims.Aud); reason != "" {
		return nil, s.refused(ctx, what, wire.RefusedInvalid, reason,
			fmt.Sprintf("the identity token is meant for another audience: its aud must be this portal's URL (%s) or its slug (%s)", s.ownPortalURL(), s.slug))
	}
	return &claims, nil
}

// audienceProblem says why an aud claim does not name this portal, ""
// when it is absent or names it. An array names the portal when one of
// its strings does (RFC 7519, 4.1.3).
func (s *Server) audienceProblem(aud json.RawMessage) string {
	aud = bytes.TrimSpace(aud)
	if len(aud) == 0 || string(aud) == "null" {
		return ""
	}
	var list []string
	if aud[0] == '"' {
		var one string
		if json.Unmarshal(aud, &one) != nil {
			return "aud is not valid JSON"
		}
		list = []string{one}
	} else if json.Unmarshal(aud, &list) != nil {
		return "aud is neither a string nor an array of strings"
	}
	for _, a := range list {
		if a == s.slug || (s.baseURL != "" && strings.TrimSuffix(a, "/") == strings.TrimSuffix(s.ownPortalURL(), "/")) {
			return ""
		}
	}
	return fmt.Sprintf("aud %q names neither this portal's URL nor its slug", list)
}

// shortDuration writes d to the second without zero units: "24h",
// "1h30m", "87600h".
func shortDuration(d time.Duration) string {
	t := d.Round(time.Second).String()
	if strings.HasSuffix(t, "m0s") {
		t = strings.TrimSuffix(t, "0s")
	}
	if strings.HasSuffix(t, "h0m") {
		t = strings.TrimSuffix(t, "0m")
	}
	return t
}

// ownPortalURL is the portal's URL from this server's own base URL and
// slug (never from settings a sync brought): /portal/<slug>/ on the base
// URL.
func (s *Server) ownPortalURL() string { return s.baseURL + s.portalPath() }

// tokenUser returns the contact an identity token names.
func (s *Server) tokenUser(ctx context.Context, claims *identityClaims) (*portal.User, error) {
	const what = "identity token"
	var u *portal.User
	var err error
	switch {
	case claims.UserID != "":
		u, err = s.ws.ByExternalID(ctx, string(claims.UserID))
	case strings.TrimSpace(claims.Email) != "":
		u, err = s.ws.UserByEmail(ctx, claims.Email)
	default:
		return nil, s.refused(ctx, what, wire.RefusedInvalid, "no user_id nor email claim", "the identity token names no user; give a user_id or an email claim")
	}
	switch portal.ErrorCode(err) {
	case "":
		return u, nil
	case portal.ENOTFOUND:
		return nil, s.refused(ctx, what, wire.RefusedUnknownUser, "no contact has its user_id (external_id) or email", errNoSuchUser)
	case portal.ECONFLICT:
		return nil, s.refused(ctx, what, wire.RefusedUnknownUser, "ambiguous email: "+err.Error()+"; the token must use user_id", errNoSuchUser)
	}
	return nil, err
}

// A session is what a session cookie carries, under its MAC.
type session struct {
	gen    int64  // the session generation it was made in
	id     string // random, base64url: what signing out revokes
	userID string
	exp    int64 // Unix seconds
}

// sessionKey derives the key of a session generation. SECURITY: the key
// is never stored. It is an HMAC keyed with the identity-verification
// secret (a 0600 file outside the workspace) over the slug, the
// generation and the generation's salt (both in the workspace): reading
// the workspace gives nothing that signs a session; rotating the secret
// or starting a new generation changes the key.
func (s *Server) sessionKey(secret []byte, ep portal.SessionEpoch) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("portalstudio session key v2\x00"))
	m.Write([]byte(s.slug))
	m.Write([]byte{0})
	m.Write([]byte(strconv.FormatInt(ep.Generation, 10)))
	m.Write([]byte{0})
	m.Write(ep.Salt)
	return m.Sum(nil)
}

// mac signs a session with the key of its generation: the slug, the
// generation, the session's id, the user's id and the expiry.
func (ss session) mac(slug string, key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("portalstudio session v2\x00"))
	for _, p := range []string{slug, strconv.FormatInt(ss.gen, 10), ss.id, ss.userID} {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	m.Write([]byte(strconv.FormatInt(ss.exp, 10)))
	return m.Sum(nil)
}

// newSession returns a new session cookie's value for the user, until
// exp: v2.<generation>.<session id>.<user id>.<expiry>.<mac>, the ids and
// the MAC base64url, the generation and the expiry in decimal. It starts
// the first session generation when there is none.
func (s *Server) newSession(ctx context.Context, userID string, exp time.Time) (string, error) {
	ep, _, err := s.ws.SessionState(ctx, "")
	if err == nil && ep.Generation == 0 {
		ep, err = s.ws.EnsureSessionEpoch(ctx)
	}
	if err != nil {
		return "", err
	}
	key, err := s.secret(ctx)
	if err != nil {
		return "", err
	}
	id := make([]byte, sessionIDSize)
	if _, err := rand.Read(id); err != nil {
		return "", fmt.Errorf("session id: %w", err)
	}
	enc := base64.RawURLEncoding
	ss := session{gen: ep.Generation, id: enc.EncodeToString(id), userID: userID, exp: exp.Unix()}
	return strings.Join([]string{sessionVersion, strconv.FormatInt(ss.gen, 10), ss.id, enc.EncodeToString([]byte(userID)),
		strconv.FormatInt(ss.exp, 10), enc.EncodeToString(ss.mac(s.slug, s.sessionKey(key, ep)))}, "."), nil
}

// parseSession splits a session cookie's value into its session and MAC,
// or returns false when it is not one.
func parseSession(v string) (session, []byte, bool) {
	if len(v) > maxTokenSize {
		return session{}, nil, false
	}
	parts := strings.Split(v, ".")
	if len(parts) != 6 || parts[0] != sessionVersion {
		return session{}, nil, false
	}
	enc := base64.RawURLEncoding.Strict()
	gen, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := enc.DecodeString(parts[2])
	user, err3 := enc.DecodeString(parts[3])
	exp, err4 := strconv.ParseInt(parts[4], 10, 64)
	mac, err5 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || err5 != nil || gen < 1 || len(id) != sessionIDSize || len(user) == 0 {
		return session{}, nil, false
	}
	return session{gen: gen, id: parts[2], userID: string(user), exp: exp}, mac, true
}

// readSession checks a session cookie's value and returns its session.
// SECURITY: the cookie must be of the current session generation,
// carry a MAC made with that generation's key, expire in the future and
// at most maxSession from now (checked here, on every read, so a cookie
// minted with a far expiry fails even with the key), and not have been
// signed out. The generation and the sign-outs are read from the
// workspace (one indexed query), so every replica agrees.
func (s *Server) readSession(ctx context.Context, v string) (session, error) {
	return s.verifySession(ctx, v, func(ss session) (portal.SessionEpoch, bool, []byte, error) {
		ep, revoked, err := s.ws.SessionState(ctx, ss.id)
		if err != nil {
			return ep, false, nil, err
		}
		key, err := s.secret(ctx)
		return ep, revoked, key, err
	})
}

// verifySession is readSession with the session's state (its
// generation, whether it was signed out, the identity secret) read by
// state, once the cookie parses.
func (s *Server) verifySession(ctx context.Context, v string, state func(session) (ep portal.SessionEpoch, revoked bool, secret []byte, err error)) (session, error) {
	const what = "session"
	bad := "the session is not valid; sign in again with a new identity token"
	ended := "the session has ended; sign in again with a new identity token"
	ss, mac, ok := parseSession(v)
	if !ok {
		return session{}, s.refused(ctx, what, wire.RefusedSessionEnded, "not a v2 session cookie", bad)
	}
	ep, revoked, key, err := state(ss)
	if err != nil {
		return session{}, err
	}
	if ss.gen != ep.Generation {
		return session{}, s.refused(ctx, what, wire.RefusedSessionEnded, fmt.Sprintf("made in session generation %d, now %d: every session was ended", ss.gen, ep.Generation), ended)
	}
	if !hmac.Equal(mac, ss.mac(s.slug, s.sessionKey(key, ep))) {
		return session{}, s.refused(ctx, what, wire.RefusedSessionEnded, "its MAC is not this portal's", bad)
	}
	now := s.now()
	exp := time.Unix(ss.exp, 0)
	if exp.Sub(now) > maxSession+clockSkew {
		return session{}, s.refused(ctx, what, wire.RefusedSessionEnded, fmt.Sprintf("its expiry is %s ahead, beyond the %s cap", shortDuration(exp.Sub(now)), shortDuration(maxSession)), bad)
	}
	if !now.Before(exp) {
		return session{}, s.refused(ctx, what, wire.RefusedSessionEnded, "expired", "the session has expired; sign in again with a new identity token")
	}
	if revoked {
		return session{}, s.refused(ctx, what, wire.RefusedSessionEnded, "signed out", ended)
	}
	return ss, nil
}

// secret returns the identity-verification secret: the configured one,
// or, for replicas sharing a database, the one the store holds now.
func (s *Server) secret(ctx context.Context) ([]byte, error) {
	if !s.sharedSecret {
		return s.identitySecret, nil
	}
	b, err := s.ws.Secret(ctx, portal.SecretIdentity)
	if err != nil {
		return nil, err
	}
	return s.sharedKey(b)
}

// sharedKey returns the identity secret the store holds (b), or the
// configured one when replicas do not share it.
func (s *Server) sharedKey(b []byte) ([]byte, error) {
	if !s.sharedSecret {
		return s.identitySecret, nil
	}
	if len(b) < 16 {
		return nil, portal.Errorf(portal.EPRECONDITION, "this portal has no identity-verification secret yet; its server must start once to make one")
	}
	return b, nil
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
// returns EUNAUTHORIZED when there is neither or it is not valid. With
// a store that prefetches (portal.Prefetcher), a session's request reads
// the session, the user, the live settings and the schema in one round
// trip, and pre holds them (else pre is nil).
func (s *Server) portalUser(r *http.Request) (u *portal.User, pre *portal.Prefetched, err error) {
	u, _, pre, err = s.requestUser(r)
	return u, pre, err
}

// requestUser is portalUser with when its credential expires.
func (s *Server) requestUser(r *http.Request) (*portal.User, time.Time, *portal.Prefetched, error) {
	if tok := bearer(r); tok != "" {
		u, exp, err := s.verifyToken(r.Context(), tok)
		return u, exp, nil, err
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, time.Time{}, nil, unauthorized("sign in: send an identity token as Authorization: Bearer, or exchange it for a session at POST %ssession", s.portalPath())
	}
	gone := &refusal{err: unauthorized("the session's user is no longer known to this portal; sign in again"), reason: wire.RefusedSessionEnded}
	if pf, ok := s.ws.(portal.Prefetcher); ok {
		var pre *portal.Prefetched
		ss, err := s.verifySession(r.Context(), c.Value, func(ss session) (portal.SessionEpoch, bool, []byte, error) {
			var err error
			if pre, err = pf.Prefetch(r.Context(), ss.id, ss.userID); err != nil {
				return portal.SessionEpoch{}, false, nil, err
			}
			key, err := s.sharedKey(pre.IdentitySecret)
			return pre.Epoch, pre.Revoked, key, err
		})
		if err != nil {
			return nil, time.Time{}, nil, err
		}
		if pre.User == nil {
			return nil, time.Time{}, nil, gone
		}
		return pre.User, time.Unix(ss.exp, 0), pre, nil
	}
	ss, err := s.readSession(r.Context(), c.Value)
	if err != nil {
		return nil, time.Time{}, nil, err
	}
	u, err := s.ws.UserByID(r.Context(), ss.userID)
	if portal.ErrorCode(err) == portal.ENOTFOUND {
		return nil, time.Time{}, nil, gone
	}
	return u, time.Unix(ss.exp, 0), nil, err
}
