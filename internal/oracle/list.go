package oracle

import (
	"math/rand"
	"sort"
	"strings"
	"time"

	"portalstudio/backend/portal"
)

// The portal list's filters, sort and facets, from the README's "Customer
// portal API" in plain loops (issue 19): the filter is read from
// portal.TicketFilter's fields as data; nothing of the engine's filtering,
// sorting or counting is called.

// states are the state categories a list filters by and counts.
var states = []string{"submitted", "in_progress", "waiting_on_customer", "resolved"}

// keeps reports whether the filter keeps t: its state category is one of
// State (when any), its type one of Types (when any), created at or after
// CreatedAfter and before CreatedBefore (when set). skipState and skipType
// leave that filter out (the facets).
func keeps(f portal.TicketFilter, t *portal.Ticket, skipState, skipType bool) bool {
	if !skipState && len(f.State) > 0 && !contains(f.State, t.StateCategory) {
		return false
	}
	if !skipType && len(f.Types) > 0 && !contains(f.Types, t.TypeID) {
		return false
	}
	if !f.CreatedAfter.IsZero() && t.CreatedAt.Before(f.CreatedAfter) {
		return false
	}
	if !f.CreatedBefore.IsZero() && !t.CreatedAt.Before(f.CreatedBefore) {
		return false
	}
	return true
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// sortTickets orders ts by the filter's sort key (last update unless
// "created"), ties by id, newest (greatest) first unless the order is
// "asc".
func sortTickets(ts []*portal.Ticket, f portal.TicketFilter) {
	key := func(t *portal.Ticket) time.Time {
		if f.Sort == "created" {
			return t.CreatedAt
		}
		return t.UpdatedAt
	}
	asc := f.Order == "asc"
	sort.Slice(ts, func(i, j int) bool {
		a, b := ts[i], ts[j]
		ka, kb := key(a), key(b)
		if !ka.Equal(kb) {
			return ka.Before(kb) == asc
		}
		return (a.ID < b.ID) == asc
	})
}

func (o *Oracle) tabTickets(a Answer, tab string) []*portal.Ticket {
	ids := a.Mine
	if tab == "all" {
		ids = a.All
	}
	out := make([]*portal.Ticket, 0, len(ids))
	for _, id := range ids {
		out = append(out, o.Ticket(id))
	}
	return out
}

// List returns the ids of the tickets of the user's tab that the filter
// keeps, in its order.
func (o *Oracle) List(a Answer, tab string, f portal.TicketFilter) []string {
	var kept []*portal.Ticket
	for _, t := range o.tabTickets(a, tab) {
		if keeps(f, t, false, false) {
			kept = append(kept, t)
		}
	}
	sortTickets(kept, f)
	out := make([]string, len(kept))
	for i, t := range kept {
		out[i] = t.ID
	}
	return out
}

// Number returns the ticket number a query is: digits, alone but for
// spaces around and one "#" before them; "" otherwise.
func Number(q string) string {
	s := strings.TrimSpace(q)
	s = strings.TrimSpace(strings.TrimPrefix(s, "#"))
	if s == "" || len(s) > 20 {
		return ""
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return ""
		}
	}
	return s
}

// SearchResult is a filtered search: the ticket the number names, when the
// user sees it on the tab and the filter keeps it (it comes first); every
// match the filter keeps; and, when the filter has a sort, their order.
type SearchResult struct {
	First   string
	IDs     map[string]bool
	Ordered []string // with a sort: First, then the rest in the sort's order
}

// Matching returns the tickets of the tab that match the query: its words
// (Search), or its number.
func (o *Oracle) matching(a Answer, tab, query string) []*portal.Ticket {
	words := o.Search(a, tab, query)
	n := Number(query)
	var out []*portal.Ticket
	for _, t := range o.tabTickets(a, tab) {
		if words[t.ID] || (n != "" && t.TicketID == n) {
			out = append(out, t)
		}
	}
	return out
}

// SearchFiltered answers a search with a filter.
func (o *Oracle) SearchFiltered(a Answer, tab, query string, f portal.TicketFilter) SearchResult {
	res := SearchResult{IDs: map[string]bool{}}
	n := Number(query)
	var rest []*portal.Ticket
	for _, t := range o.matching(a, tab, query) {
		if !keeps(f, t, false, false) {
			continue
		}
		res.IDs[t.ID] = true
		if n != "" && t.TicketID == n {
			res.First = t.ID
		} else {
			rest = append(rest, t)
		}
	}
	if f.Sort != "" {
		sortTickets(rest, f)
		if res.First != "" {
			res.Ordered = append(res.Ordered, res.First)
		}
		for _, t := range rest {
			res.Ordered = append(res.Ordered, t.ID)
		}
	}
	return res
}

// Facets are a list's counts per state category and per type.
type Facets struct {
	State map[string]int
	Types []TypeCount
}

// TypeCount is one type's count.
type TypeCount struct {
	ID, Name string
	Count    int
}

// Facets counts the tickets of the tab (matching the query, when there is
// one): per state category, the ones the type and date filters keep; per
// type, the ones the state and date filters keep. Every state category is
// there; every type of those tickets (whatever their state and dates) is
// there, by name then id, named as the last ticket imported with that type
// named it. Tickets without a type, or of another state category, are in
// no count.
func (o *Oracle) Facets(a Answer, tab, query string, f portal.TicketFilter) Facets {
	scope := o.tabTickets(a, tab)
	if strings.TrimSpace(query) != "" {
		scope = o.matching(a, tab, query)
	}
	fc := Facets{State: map[string]int{}, Types: []TypeCount{}}
	for _, s := range states {
		fc.State[s] = 0
	}
	counts := map[string]int{}
	for _, t := range scope {
		if _, ok := fc.State[t.StateCategory]; ok && keeps(f, t, true, false) {
			fc.State[t.StateCategory]++
		}
		if t.TypeID == "" {
			continue
		}
		if _, ok := counts[t.TypeID]; !ok {
			counts[t.TypeID] = 0
		}
		if keeps(f, t, false, true) {
			counts[t.TypeID]++
		}
	}
	for id, n := range counts {
		name := ""
		for i := range o.d.Tickets {
			if o.d.Tickets[i].TypeID == id {
				name = o.d.Tickets[i].TypeName
			}
		}
		fc.Types = append(fc.Types, TypeCount{ID: id, Name: name, Count: n})
	}
	sort.Slice(fc.Types, func(i, j int) bool {
		if fc.Types[i].Name != fc.Types[j].Name {
			return fc.Types[i].Name < fc.Types[j].Name
		}
		return fc.Types[i].ID < fc.Types[j].ID
	})
	return fc
}

// RandomFilter picks a filter: states and types (some no ticket has),
// creation bounds on the tickets' own times (so the bounds' inclusive and
// exclusive ends are met) or whole days, a sort and an order; each part
// now and then.
func (o *Oracle) RandomFilter(r *rand.Rand) portal.TicketFilter {
	var f portal.TicketFilter
	if r.Intn(2) == 0 {
		for _, s := range states {
			if r.Intn(3) == 0 {
				f.State = append(f.State, s)
			}
		}
	}
	if r.Intn(2) == 0 {
		for _, t := range []string{"95", "96", "97", "tt-back-office", "404"} {
			if r.Intn(3) == 0 {
				f.Types = append(f.Types, t)
			}
		}
	}
	bound := func() time.Time {
		t := pick(r, o.d.Tickets).CreatedAt
		switch r.Intn(3) {
		case 0:
			return t.UTC().Truncate(24 * time.Hour)
		case 1:
			return t.Add(time.Duration(r.Intn(3)-1) * time.Second)
		}
		return t
	}
	if r.Intn(3) == 0 {
		f.CreatedAfter = bound()
	}
	if r.Intn(3) == 0 {
		f.CreatedBefore = bound()
		if !f.CreatedAfter.IsZero() && !f.CreatedAfter.Before(f.CreatedBefore) {
			f.CreatedAfter, f.CreatedBefore = f.CreatedBefore, f.CreatedAfter.Add(time.Hour)
		}
	}
	f.Sort = pick(r, []string{"", "", "updated", "created"})
	f.Order = pick(r, []string{"", "", "desc", "asc"})
	return f
}

// RandomNumberQuery returns a ticket number as a query ("1003", "#1003"):
// of any ticket of the dataset, seen by the user or not, or of none.
func (o *Oracle) RandomNumberQuery(r *rand.Rand) string {
	n := "99999"
	if r.Intn(5) > 0 {
		n = pick(r, o.d.Tickets).TicketID
	}
	return pick(r, []string{"", "#", " #"}) + n
}
