package words

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"portalstudio/backend/portal"
)

// Group says an impact group with its size: "12 users gain access",
// "1 user becomes restricted to their own tickets".
func Group(group string, n int) string {
	one, many := "", ""
	switch group {
	case portal.GainAccess:
		one, many = "user gains access", "users gain access"
	case portal.LoseAccess:
		one, many = "user loses access", "users lose access"
	case portal.BecomeRestricted:
		one, many = "user becomes restricted to their own tickets", "users become restricted to their own tickets"
	case portal.BecomeUnrestricted:
		one, many = "user now sees all their company tickets", "users now see all their company tickets"
	default:
		return plural(n, "user", "users") + " in " + group
	}
	if n == 0 {
		return "No " + one
	}
	return plural(n, one, many)
}

// State says a user's portal state: "no access", "all company tickets",
// "only their own tickets".
func State(state string) string {
	switch state {
	case portal.StateNone:
		return "no access"
	case portal.StateAll:
		return "all company tickets"
	case portal.StateOwn:
		return "only their own tickets"
	}
	return state
}

// Change says how one user's portal changes: "Ana had no access; now sees
// all company tickets (0 → 12 tickets)." Ticket counts are optional.
func Change(u portal.ImpactUser) string {
	return ChangeBecause(u, "")
}

// ChangeBecause is Change followed by why, the reason of the decision
// under the new settings (see Why): "Ana had no access; now sees all
// company tickets: Plan is Pro — Acme has Pro."
func ChangeBecause(u portal.ImpactUser, why string) string {
	s := change(u)
	if why = strings.TrimSuffix(strings.TrimSpace(why), "."); why != "" {
		s += ": " + why
	}
	return s + "."
}

// ChangeDecided says how one user's portal changes and why, from the
// decision d made for them under the new settings st: the access
// decision's reason when they gain or lose access (and the restriction's
// too when they gain access restricted), the restriction's when they
// keep access and only what they see changes.
func ChangeDecided(u portal.ImpactUser, st *portal.Settings, d portal.Decision, s *portal.Schema) string {
	why := reason(Access(st, d, s))
	switch {
	case u.Before != portal.StateNone && u.After != portal.StateNone:
		why = reason(Restriction(st, d, s))
	case u.After == portal.StateOwn:
		// They gain access and are restricted at once: both reasons.
		why = strings.TrimSuffix(why, ".") + "; " + reason(Restriction(st, d, s))
	}
	return ChangeBecause(u, why)
}

// Why returns the reason of a decision's sentence, without its head:
// "Has access: Plan is Pro — Acme has Pro." → "Plan is Pro — Acme has
// Pro."; a sentence without a head is its own reason.
func Why(sentence string) string {
	return upperFirst(reason(sentence))
}

// reason is a decision's sentence without its head, as it is written.
func reason(sentence string) string {
	head, why, found := strings.Cut(sentence, ": ")
	if !found || strings.ContainsAny(head, ".—") || why == "" {
		return sentence
	}
	return why
}

func change(u portal.ImpactUser) string {
	who := u.Name
	if who == "" {
		who = u.Email
	}
	if who == "" {
		who = u.ID
	}
	before := map[string]string{portal.StateNone: "had no access", portal.StateAll: "saw all company tickets", portal.StateOwn: "saw only their own tickets"}[u.Before]
	after := map[string]string{portal.StateNone: "has no access", portal.StateAll: "sees all company tickets", portal.StateOwn: "sees only their own tickets"}[u.After]
	s := fmt.Sprintf("%s %s; now %s", who, before, after)
	if u.TicketsBefore != nil && u.TicketsAfter != nil {
		s += fmt.Sprintf(" (%s → %s)", plural(*u.TicketsBefore, "ticket", "tickets"), plural(*u.TicketsAfter, "ticket", "tickets"))
	}
	return s
}

// Problem says a validation problem where the admin sees it: "Access
// permissions, condition 2.1: the value is empty; enter some text, or use
// has any value / is unknown." The message is the domain's sentence;
// this names the place by the page's words instead of the JSON path.
func Problem(p portal.Problem) string {
	where := Where(p.Path)
	if where == "" {
		return sentence(p.Message)
	}
	return sentence(where + ": " + p.Message)
}

var pathIndex = regexp.MustCompile(`\[(\d+)\]`)

// Where names the place of a JSON path of the settings document on the
// settings page: "access.rule.all[1].any[0].value" → "Access permissions,
// condition 2.1"; "help_center.sections[2].title" → "Help Center,
// section 3".
func Where(path string) string {
	areas := []struct{ prefix, name, item string }{
		{"access.rule", "Access permissions", "condition"},
		{"visibility.conditions", "Ticket visibility", "condition"},
		{"visibility", "Ticket visibility", ""},
		{"help_center.sections", "Help Center", "section"},
		{"help_center", "Help Center", ""},
		{"portal", "Customer portal", ""},
		{"messenger", "Messenger", ""},
		{"preview_column", "Preview column", ""},
		{"identity_verification", "Identity verification", ""},
	}
	for _, a := range areas {
		if path != a.prefix && !strings.HasPrefix(path, a.prefix+".") && !strings.HasPrefix(path, a.prefix+"[") {
			continue
		}
		rest := path[len(a.prefix):]
		var nums []string
		for _, m := range pathIndex.FindAllStringSubmatch(rest, -1) {
			n, _ := strconv.Atoi(m[1])
			nums = append(nums, strconv.Itoa(n+1))
		}
		if a.item == "" || len(nums) == 0 {
			return a.name
		}
		return a.name + ", " + a.item + " " + strings.Join(nums, ".")
	}
	return path
}
