package portal

import (
	"strings"
	"time"
)

// Portal tabs.
const (
	TabAll  = "all"  // every visible ticket of the user's companies, plus their own
	TabMine = "mine" // "Created by me"
)

// Decision is what the portal decides for one user, with the reasons.
type Decision struct {
	Access           bool     `json:"access"`
	AccessReason     string   `json:"access_reason"`
	AccessTrace      *Trace   `json:"access_trace,omitempty"`
	Restricted       bool     `json:"restricted"`
	RestrictedReason string   `json:"restricted_reason"`
	RestrictedTrace  *Trace   `json:"restricted_trace,omitempty"`
	Tabs             []string `json:"tabs"`
}

// HasTab reports whether the decision grants the tab.
func (d Decision) HasTab(tab string) bool {
	for _, t := range d.Tabs {
		if t == tab {
			return true
		}
	}
	return false
}

// Decide decides access, restriction and tabs for a subject under st.
//
// Access: the portal must be enabled and the access rule must match (a nil
// rule matches no one, {"all": []} everyone). Restriction applies to users
// with access only: restricted when ticket visibility is on and there are
// no conditions or the conditions match. With visibility off nobody is
// restricted and the conditions are kept but inactive.
func Decide(st *Settings, s *Schema, sub Subject, now time.Time) Decision {
	var d Decision
	d.Tabs = []string{}
	switch {
	case !st.Portal.Enabled:
		d.AccessReason = "The customer portal is turned off, so no one can open it."
	case st.Access.Rule == nil:
		d.AccessReason = "No access rule is set, so no one has access."
	default:
		t := Explain(st.Access.Rule, s, sub, now)
		d.AccessTrace = &t
		d.Access = t.Result
		if st.Access.Rule.IsEveryone() {
			d.AccessReason = "The access rule is Everyone."
		} else if d.Access {
			d.AccessReason = "Matches the access rule: " + Summarize(t) + "."
		} else {
			d.AccessReason = "Does not match the access rule: " + Summarize(t) + "."
		}
	}
	if !d.Access {
		d.RestrictedReason = "No access, so no tickets at all."
		return d
	}
	conds := st.Visibility.Conditions
	switch {
	case !st.Visibility.RestrictToOwn:
		d.RestrictedReason = "Ticket visibility is off: everyone with access sees all company tickets."
		if !conds.IsEmpty() {
			d.RestrictedReason += " Its conditions are kept but inactive."
		}
	case conds.IsEmpty():
		d.Restricted = true
		d.RestrictedReason = "Ticket visibility is on with no conditions: everyone with access sees only their own tickets."
	default:
		t := Explain(conds, s, sub, now)
		d.RestrictedTrace = &t
		d.Restricted = t.Result
		if d.Restricted {
			d.RestrictedReason = "Matches the ticket visibility conditions, so sees only their own tickets: " + Summarize(t) + "."
		} else {
			d.RestrictedReason = "Does not match the ticket visibility conditions, so sees all company tickets: " + Summarize(t) + "."
		}
	}
	if d.Restricted {
		d.Tabs = []string{TabMine}
	} else {
		d.Tabs = []string{TabAll, TabMine}
	}
	return d
}

// Summarize says in a few words why a trace came out as it did: the
// conditions that made an "all" hold, the first that made it fail, the
// condition that made an "any" hold, or that none of its conditions did.
func Summarize(t Trace) string {
	if len(t.Children) == 0 {
		if t.Rule == "everyone" {
			return "everyone"
		}
		if t.Rule == "any of" {
			return "an empty \"any\" group matches no one"
		}
		if t.Detail == "" {
			return t.Rule
		}
		return t.Rule + " (" + t.Detail + ")"
	}
	var parts []string
	all := t.Rule == "all of"
	for _, k := range t.Children {
		switch {
		case all && t.Result, !all && !t.Result:
			parts = append(parts, Summarize(k))
		case all && !k.Result, !all && k.Result:
			return Summarize(k)
		}
	}
	if !all {
		return "none of " + strings.Join(parts, "; ")
	}
	return strings.Join(parts, "; ")
}

// CanSee reports whether a user with decision d sees ticket t on tab ("" for
// any of the user's tabs, as when opening a ticket's page). companyIDs are
// the ids of all the user's companies.
func CanSee(d Decision, userID string, companyIDs []string, t *Ticket, tab string) bool {
	if !d.Access || !t.PortalEligible() {
		return false
	}
	mine := userID != "" && t.CreatorID() == userID
	inCompany := false
	if t.CompanyID != "" {
		for _, id := range companyIDs {
			if id == t.CompanyID {
				inCompany = true
				break
			}
		}
	}
	switch tab {
	case TabMine:
		return mine
	case TabAll:
		return d.HasTab(TabAll) && (mine || inCompany)
	case "":
		return mine || (d.HasTab(TabAll) && inCompany)
	}
	return false
}

// VisibleTickets returns, sorted as the portal lists them, the tickets of
// ts that the user sees on tab. It is the plain in-memory form of what the
// storage answers with indexes.
func VisibleTickets(d Decision, u *User, ts []Ticket, tab string) []Ticket {
	var out []Ticket
	for i := range ts {
		if CanSee(d, u.ID, u.CompanyIDs, &ts[i], tab) {
			out = append(out, ts[i])
		}
	}
	SortTickets(out)
	return out
}

// VisibleParts returns the parts of t a customer may see, in order.
func VisibleParts(t *Ticket) []Part {
	var out []Part
	for _, p := range t.Parts {
		if CustomerVisible(p.PartType) {
			out = append(out, p)
		}
	}
	return out
}
