package words

import (
	"portalstudio/backend/portal"
)

// Access says the access decision for one user and why: "Has access:
// Plan is Pro — Acme has Pro." st is the settings the decision was made
// under.
func Access(st *portal.Settings, d portal.Decision, s *portal.Schema) string {
	switch {
	case !st.Portal.Enabled:
		return "No access: the customer portal is off."
	case st.Access.Rule == nil:
		return "No access: no access rule is set, so no one has access."
	case st.Access.Rule.IsEveryone():
		return "Has access: the access rule is Everyone."
	}
	why := ""
	if d.AccessTrace != nil {
		why = Reason(*d.AccessTrace, s)
	}
	if d.Access {
		return sentence("Has access: " + why)
	}
	return sentence("No access: " + why)
}

// Restriction says which tickets a user with access sees and why: "Sees
// only their own tickets: Role is contractor — Bob has contractor."
func Restriction(st *portal.Settings, d portal.Decision, s *portal.Schema) string {
	conds := st.Visibility.Conditions
	switch {
	case !d.Access:
		return "No tickets: no access."
	case !st.Visibility.RestrictToOwn && !conds.IsEmpty():
		return "Sees all company tickets: ticket visibility is off (its conditions are kept, inactive)."
	case !st.Visibility.RestrictToOwn:
		return "Sees all company tickets: ticket visibility is off."
	case conds.IsEmpty():
		return "Sees only their own tickets: ticket visibility is on with no conditions, so it applies to everyone with access."
	}
	why := ""
	if d.RestrictedTrace != nil {
		why = Reason(*d.RestrictedTrace, s)
	}
	if d.Restricted {
		return sentence("Sees only their own tickets: " + why)
	}
	return sentence("Sees all company tickets: " + why)
}

// Decision returns d with every node of its traces said in words (their
// Sentence filled); the reasons themselves are Access and Restriction.
func Decision(d portal.Decision, s *portal.Schema) portal.Decision {
	if d.AccessTrace != nil {
		t := Annotate(*d.AccessTrace, s)
		d.AccessTrace = &t
	}
	if d.RestrictedTrace != nil {
		t := Annotate(*d.RestrictedTrace, s)
		d.RestrictedTrace = &t
	}
	return d
}
