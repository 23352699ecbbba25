package wire

import (
	"net/url"
	"strings"
)

// Why the portal server refused a sign-in or a session: the "reason" of
// its 401 (and 429) answers on the portal's routes, and of the address a
// refused sign-in form post is sent back to (login?refused=<reason>).
// The answer's message is written for the developer who integrates the
// portal; the pages show the customer SignInRefusal(reason) instead.
const (
	RefusedMissing     = "missing"       // no sign-in code was sent
	RefusedExpired     = "expired"       // the identity token's exp has passed
	RefusedNotYetValid = "not_yet_valid" // its nbf is still ahead
	// RefusedInvalid: not a token of this portal (cut short, another
	// signature, algorithm or audience, no exp, a lifetime too long).
	RefusedInvalid      = "invalid"
	RefusedUnknownUser  = "unknown_user"  // it names nobody this portal can sign in
	RefusedSessionEnded = "session_ended" // the session expired, was signed out or ended
	RefusedTooMany      = "too_many"      // too many sign-in attempts from the address
)

// SignInRefusal is what a customer reads when the portal refuses to sign
// them in for reason: what happened and what to do, without the words of
// the integration (no "token", "JWT" or "claim").
func SignInRefusal(reason string) string {
	switch reason {
	case RefusedMissing:
		return "Paste the sign-in link or code from our website, then press Sign in."
	case RefusedExpired:
		return "This sign-in link has expired — open the portal again from our website."
	case RefusedNotYetValid:
		return "This sign-in link is not valid yet — wait a minute and try again, or open the portal again from our website."
	case RefusedInvalid:
		return "This sign-in link does not work here — check that you copied all of it, or open the portal again from our website."
	case RefusedUnknownUser:
		return "We could not find your account for this sign-in link — contact our support team."
	case RefusedSessionEnded:
		return "You have been signed out — open the portal again from our website to sign in."
	case RefusedTooMany:
		return "Too many sign-in attempts — wait a minute, then try again."
	}
	return "We could not sign you in — open the portal again from our website."
}

// SignInCode returns the identity token in what a customer pasted into
// the sign-in form: the token itself, or a whole sign-in link
// (…/login?token=…), trimmed.
func SignInCode(pasted string) string {
	s := strings.TrimSpace(pasted)
	if !strings.Contains(s, "token=") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	if t := u.Query().Get("token"); t != "" {
		return strings.TrimSpace(t)
	}
	return s
}
