package words

import (
	"encoding/json"
	"strconv"
	"strings"

	"portalstudio/backend/portal"
)

// Changes says, one sentence per area, what the second settings document
// changes against the first: "Access: now also users whose department is
// IT.", "Help Center: Customer portal moved to the top." Nothing when
// they are the same (the version is not a change).
func Changes(before, after *portal.Settings, s *portal.Schema) []string {
	var out []string
	add := func(area string, parts ...string) {
		var ps []string
		for _, p := range parts {
			if p != "" {
				ps = append(ps, p)
			}
		}
		if len(ps) > 0 {
			out = append(out, area+": "+strings.Join(ps, "; ")+".")
		}
	}
	if before.Portal.Enabled != after.Portal.Enabled {
		add("Customer portal", onOff(after.Portal.Enabled))
	}
	if before.Portal.URL != after.Portal.URL && after.Portal.URL != "" {
		add("Customer portal", "its URL is now "+after.Portal.URL)
	}
	add("Access", ruleChanges(before.Access.Rule, after.Access.Rule, s, accessWords)...)
	var vis []string
	if before.Visibility.RestrictToOwn != after.Visibility.RestrictToOwn {
		if after.Visibility.RestrictToOwn {
			vis = append(vis, "turned on")
		} else {
			vis = append(vis, "turned off (everyone with access sees all company tickets)")
		}
	}
	vis = append(vis, ruleChanges(before.Visibility.Conditions, after.Visibility.Conditions, s, visibilityWords)...)
	add("Ticket visibility", vis...)
	if before.PreviewColumn != after.PreviewColumn {
		add("Preview column", onOff(after.PreviewColumn))
	}
	var hc []string
	if before.HelpCenter.Live != after.HelpCenter.Live {
		if after.HelpCenter.Live {
			hc = append(hc, "set live")
		} else {
			hc = append(hc, "no longer live")
		}
	}
	hc = append(hc, sectionChanges(before.HelpCenter.Sections, after.HelpCenter.Sections)...)
	add("Help Center", hc...)
	if before.Messenger.TicketsSpace != after.Messenger.TicketsSpace {
		add("Messenger", "tickets space "+onOff(after.Messenger.TicketsSpace))
	}
	if before.IdentityVerification != after.IdentityVerification {
		add("Identity verification", onOff(after.IdentityVerification))
	}
	return out
}

func onOff(on bool) string {
	if on {
		return "turned on"
	}
	return "turned off"
}

// ruleWords are how a rule's changes read for one area.
type ruleWords struct {
	none, everyone  string // the rule is now null / Everyone
	alsoAny, notAny string // a condition added to / removed from an "any" root
	alsoAll, notAll string // a condition added to / removed from an "all" root
	now             string // the whole rule, when changes are not a few conditions
	emptyIsEveryone bool   // visibility: no conditions means everyone with access
}

var accessWords = ruleWords{
	none: "no one any more (no access rule)", everyone: "now everyone",
	alsoAny: "now also users ", notAny: "no longer users ",
	alsoAll: "now only users ", notAll: "no longer only users ",
	now: "now users who match: ",
}

var visibilityWords = ruleWords{
	none: "no conditions: everyone with access is restricted while it is on", everyone: "no conditions: everyone with access is restricted while it is on",
	alsoAny: "now also restricts users ", notAny: "no longer restricts users ",
	alsoAll: "now restricts only users ", notAll: "no longer restricts only users ",
	now:             "now restricts users who match: ",
	emptyIsEveryone: true,
}

// ruleChanges says how rule b differs from rule a: conditions added to or
// removed from the top group, or the whole new rule.
func ruleChanges(a, b *portal.Rule, s *portal.Schema, w ruleWords) []string {
	if canon(a) == canon(b) {
		return nil
	}
	if w.emptyIsEveryone && a.IsEmpty() && b.IsEmpty() {
		return nil
	}
	switch {
	case b == nil && !w.emptyIsEveryone:
		return []string{w.none}
	case b.IsEmpty() && w.emptyIsEveryone, b.IsEveryone():
		return []string{w.everyone}
	}
	ga, gb := asGroup(a), asGroup(b)
	if ga.IsEmpty() {
		// From no one or everyone to some users.
		if kids := gb.Children(); len(kids) == 1 {
			return []string{w.alsoAll + Whose(kids[0], s)}
		}
		return []string{w.now + rule(b, s, true)}
	}
	if ga.IsAny() != gb.IsAny() {
		return []string{w.now + rule(b, s, true)}
	}
	added, removed := diffChildren(ga.Children(), gb.Children())
	if len(added)+len(removed) > 3 {
		return []string{w.now + rule(b, s, true)}
	}
	also, not := w.alsoAll, w.notAll
	if gb.IsAny() {
		also, not = w.alsoAny, w.notAny
	}
	var out []string
	for _, r := range added {
		out = append(out, also+Whose(r, s))
	}
	for _, r := range removed {
		out = append(out, not+Whose(r, s))
	}
	return out
}

// asGroup returns r as a group: a bare condition is all[condition].
func asGroup(r *portal.Rule) *portal.Rule {
	if r != nil && r.Cond != nil {
		return portal.AllOf(r)
	}
	return r
}

func canon(r *portal.Rule) string {
	if r == nil {
		return "null"
	}
	b, _ := json.Marshal(r)
	return string(b)
}

// diffChildren returns the children of b not in a and those of a not in
// b, compared by their canonical JSON (order does not matter).
func diffChildren(a, b []*portal.Rule) (added, removed []*portal.Rule) {
	count := map[string]int{}
	for _, r := range a {
		count[canon(r)]++
	}
	for _, r := range b {
		k := canon(r)
		if count[k] > 0 {
			count[k]--
			continue
		}
		added = append(added, r)
	}
	left := map[string]int{}
	for _, r := range b {
		left[canon(r)]++
	}
	for _, r := range a {
		k := canon(r)
		if left[k] > 0 {
			left[k]--
			continue
		}
		removed = append(removed, r)
	}
	return added, removed
}

// sectionChanges says how the Help Center's sections changed: added,
// removed, renamed, shown, hidden and moved ("Customer portal moved to
// the top").
func sectionChanges(a, b []portal.Section) []string {
	var out []string
	old := map[string]portal.Section{}
	for _, s := range a {
		old[s.ID] = s
	}
	now := map[string]bool{}
	for _, s := range b {
		now[s.ID] = true
		o, ok := old[s.ID]
		switch {
		case !ok:
			out = append(out, s.Title+" added")
			continue
		case o.Title != s.Title:
			out = append(out, o.Title+" renamed to "+s.Title)
		}
		if o.Visible != s.Visible {
			if s.Visible {
				out = append(out, s.Title+" shown")
			} else {
				out = append(out, s.Title+" hidden")
			}
		}
	}
	for _, s := range a {
		if !now[s.ID] {
			out = append(out, s.Title+" removed")
		}
	}
	// Moves: the sections kept in both, in their new order; those outside
	// the longest run that kept its relative order are the ones moved.
	var kept []portal.Section
	pos := map[string]int{}
	i := 0
	for _, s := range a {
		if now[s.ID] {
			pos[s.ID] = i
			i++
		}
	}
	for _, s := range b {
		if _, ok := old[s.ID]; ok {
			kept = append(kept, s)
		}
	}
	seq := make([]int, len(kept))
	for j, s := range kept {
		seq[j] = pos[s.ID]
	}
	stay := longestIncreasing(seq)
	for j, s := range kept {
		if stay[j] {
			continue
		}
		switch {
		case j == 0:
			out = append(out, s.Title+" moved to the top")
		case j == len(kept)-1:
			out = append(out, s.Title+" moved to the bottom")
		default:
			out = append(out, s.Title+" moved to position "+strconv.Itoa(j+1)+", below "+kept[j-1].Title)
		}
	}
	return out
}

// longestIncreasing marks the elements of one longest increasing
// subsequence of seq.
func longestIncreasing(seq []int) []bool {
	n := len(seq)
	length, prev := make([]int, n), make([]int, n)
	best := -1
	for i := range seq {
		length[i], prev[i] = 1, -1
		for j := 0; j < i; j++ {
			if seq[j] < seq[i] && length[j]+1 > length[i] {
				length[i], prev[i] = length[j]+1, j
			}
		}
		if best < 0 || length[i] > length[best] {
			best = i
		}
	}
	out := make([]bool, n)
	for i := best; i >= 0; i = prev[i] {
		out[i] = true
	}
	return out
}
