package portal

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
)

// A portal list's filters and order: the one contract of the portal API's
// query parameters, the studio's preview and the command line's preview.
// ParseTicketFilter reads them from query parameters (the server, the
// pages' addresses, the command line's flags); Validate checks a filter
// that came another way (the desktop bindings' JSON); Values writes one
// back as query parameters.

// The state categories a list filters by and counts, in the order a
// ticket usually meets them.
const (
	StateSubmitted         = "submitted"
	StateInProgress        = "in_progress"
	StateWaitingOnCustomer = "waiting_on_customer"
	StateResolved          = "resolved"
)

// StateCategories lists the state categories, in the order above.
var StateCategories = []string{StateSubmitted, StateInProgress, StateWaitingOnCustomer, StateResolved}

// The orders of a list.
const (
	SortUpdated = "updated" // by last update (the default)
	SortCreated = "created" // by creation
	OrderDesc   = "desc"    // newest first (the default)
	OrderAsc    = "asc"     // oldest first
)

// The query parameters of a list's filters and order.
const (
	ParamState         = "state"
	ParamType          = "type"
	ParamCreatedAfter  = "created_after"
	ParamCreatedBefore = "created_before"
	ParamSort          = "sort"
	ParamOrder         = "order"
)

// FilterParams lists the query parameters ParseTicketFilter reads.
var FilterParams = []string{ParamState, ParamType, ParamCreatedAfter, ParamCreatedBefore, ParamSort, ParamOrder}

// Bounds of a filter's type list.
const (
	maxFilterTypes  = 100
	maxTypeIDLength = 200
)

// TicketFilter narrows and orders a portal list (its tab, and its search
// when there is one). The zero value is the whole tab, by last update,
// newest first. Its JSON names are the query parameters'.
type TicketFilter struct {
	// State keeps the tickets whose state category is one of these
	// (StateCategories); none keeps every state.
	State []string `json:"state,omitempty"`
	// Types keeps the tickets whose type id is one of these; none keeps
	// every type. An id no ticket of the tab has matches nothing.
	Types []string `json:"type,omitempty"`
	// CreatedAfter keeps the tickets created at or after it (inclusive);
	// zero: no lower bound.
	CreatedAfter time.Time `json:"created_after,omitzero"`
	// CreatedBefore keeps the tickets created before it (exclusive);
	// zero: no upper bound.
	CreatedBefore time.Time `json:"created_before,omitzero"`
	// Sort is SortUpdated or SortCreated; "" is SortUpdated for a list
	// and relevance (best first) for a search. Ties are broken by id, in
	// the same direction, so cursors stay stable.
	Sort string `json:"sort,omitempty"`
	// Order is OrderDesc or OrderAsc; "" is OrderDesc.
	Order string `json:"order,omitempty"`
}

// Narrowed reports whether the filter leaves out any ticket of the tab
// (state, type or dates); sort and order leave out none.
func (f TicketFilter) Narrowed() bool {
	return len(f.State) > 0 || len(f.Types) > 0 || !f.CreatedAfter.IsZero() || !f.CreatedBefore.IsZero()
}

// SortKey returns the sort the list is in: f.Sort, or SortUpdated when it
// is "" (a search without a sort is best first instead: see Sort).
func (f TicketFilter) SortKey() string {
	if f.Sort == "" {
		return SortUpdated
	}
	return f.Sort
}

// Ascending reports whether the list is oldest first.
func (f TicketFilter) Ascending() bool { return f.Order == OrderAsc }

// Keeps reports whether the filter keeps a ticket (state, type, dates),
// the plain definition the stores' queries implement.
func (f TicketFilter) Keeps(t *Ticket) bool {
	return (len(f.State) == 0 || slices.Contains(f.State, t.StateCategory)) &&
		(len(f.Types) == 0 || slices.Contains(f.Types, t.TypeID)) &&
		(f.CreatedAfter.IsZero() || !t.CreatedAt.Before(f.CreatedAfter)) &&
		(f.CreatedBefore.IsZero() || t.CreatedAt.Before(f.CreatedBefore))
}

// ParseTicketFilter reads a list's filters and order from query
// parameters (url.Values, or a command line's flags put the same way):
//
//   - state: state categories, comma-separated (repeating the parameter
//     adds to the list);
//   - type: ticket type ids, comma-separated (likewise);
//   - created_after, created_before: YYYY-MM-DD (midnight UTC) or RFC 3339;
//   - sort: updated or created; order: desc or asc.
//
// Empty values are absent ones. Returns EINVALID with a sentence naming
// the parameter for a bad value.
func ParseTicketFilter(v url.Values) (TicketFilter, error) {
	var f TicketFilter
	f.State = listParam(v[ParamState])
	f.Types = listParam(v[ParamType])
	var err error
	if f.CreatedAfter, err = dateParam(ParamCreatedAfter, v); err != nil {
		return TicketFilter{}, err
	}
	if f.CreatedBefore, err = dateParam(ParamCreatedBefore, v); err != nil {
		return TicketFilter{}, err
	}
	if f.Sort, err = singleParam(ParamSort, v); err != nil {
		return TicketFilter{}, err
	}
	if f.Order, err = singleParam(ParamOrder, v); err != nil {
		return TicketFilter{}, err
	}
	if err := f.Validate(); err != nil {
		return TicketFilter{}, err
	}
	return f, nil
}

// Validate checks a filter: known state categories, at most 100 type ids
// of at most 200 characters without control characters, a date range
// that is not empty, a known sort and order. Returns EINVALID with a
// sentence naming the query parameter.
func (f TicketFilter) Validate() error {
	for _, s := range f.State {
		if !slices.Contains(StateCategories, s) {
			return Errorf(EINVALID, "%s must be one or more of %s, comma-separated, not %q", ParamState, strings.Join(StateCategories, ", "), s)
		}
	}
	if len(f.Types) > maxFilterTypes {
		return Errorf(EINVALID, "%s names %d ticket types; give at most %d", ParamType, len(f.Types), maxFilterTypes)
	}
	for _, id := range f.Types {
		if id == "" || len(id) > maxTypeIDLength || strings.IndexFunc(id, unicode.IsControl) >= 0 {
			return Errorf(EINVALID, "%s must be ticket type ids (up to %d characters each), comma-separated, not %q", ParamType, maxTypeIDLength, id)
		}
	}
	if !f.CreatedAfter.IsZero() && !f.CreatedBefore.IsZero() && !f.CreatedAfter.Before(f.CreatedBefore) {
		return Errorf(EINVALID, "%s must be earlier than %s: no ticket is created at or after %s and before %s",
			ParamCreatedAfter, ParamCreatedBefore, f.CreatedAfter.Format(time.RFC3339), f.CreatedBefore.Format(time.RFC3339))
	}
	if f.Sort != "" && f.Sort != SortUpdated && f.Sort != SortCreated {
		return Errorf(EINVALID, "%s must be %s or %s, not %q", ParamSort, SortUpdated, SortCreated, f.Sort)
	}
	if f.Order != "" && f.Order != OrderDesc && f.Order != OrderAsc {
		return Errorf(EINVALID, "%s must be %s or %s, not %q", ParamOrder, OrderDesc, OrderAsc, f.Order)
	}
	return nil
}

// Values returns the filter as query parameters, the ones
// ParseTicketFilter reads back: only those that are set; dates as
// YYYY-MM-DD when they are midnight UTC, else RFC 3339.
func (f TicketFilter) Values() url.Values {
	v := url.Values{}
	if len(f.State) > 0 {
		v.Set(ParamState, strings.Join(f.State, ","))
	}
	if len(f.Types) > 0 {
		v.Set(ParamType, strings.Join(f.Types, ","))
	}
	for name, t := range map[string]time.Time{ParamCreatedAfter: f.CreatedAfter, ParamCreatedBefore: f.CreatedBefore} {
		if !t.IsZero() {
			v.Set(name, formatDateParam(t))
		}
	}
	if f.Sort != "" {
		v.Set(ParamSort, f.Sort)
	}
	if f.Order != "" {
		v.Set(ParamOrder, f.Order)
	}
	return v
}

// listParam splits comma-separated values (of every occurrence of the
// parameter), trimmed, without empty ones or repeats, in their order.
func listParam(vals []string) []string {
	var out []string
	for _, val := range vals {
		for _, x := range strings.Split(val, ",") {
			if x = strings.TrimSpace(x); x != "" && !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
	}
	return out
}

// singleParam returns a parameter given at most once (several equal
// values count as one), trimmed.
func singleParam(name string, v url.Values) (string, error) {
	out := ""
	for _, val := range v[name] {
		val = strings.TrimSpace(val)
		if val == "" {
			continue
		}
		if out != "" && out != val {
			return "", Errorf(EINVALID, "%s is given twice (%q and %q); give it once", name, out, val)
		}
		out = val
	}
	return out, nil
}

// dayLayout matches a day, YYYY-MM-DD. It and ticketNumber are compiled
// at their first use: every command of the binary starts this package.
var dayLayout = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`) })

// dateParam reads a date parameter: YYYY-MM-DD (midnight UTC) or RFC 3339.
func dateParam(name string, v url.Values) (time.Time, error) {
	s, err := singleParam(name, v)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	if dayLayout().MatchString(s) {
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t, nil
		}
	} else if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	} else if i := strings.LastIndexByte(s, ' '); i > 0 {
		// An offset's "+" left unescaped in a URL reads as a space.
		if t, err := time.Parse(time.RFC3339, s[:i]+"+"+s[i+1:]); err == nil {
			return t, nil
		}
	}
	return time.Time{}, Errorf(EINVALID, "%s must be a date, YYYY-MM-DD (midnight UTC) or RFC 3339 like 2024-05-01T09:30:00Z, not %q", name, s)
}

func formatDateParam(t time.Time) string {
	if u := t.UTC(); u.Equal(u.Truncate(24 * time.Hour)) {
		return u.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339Nano)
}

// ticketNumber matches a search that is a ticket number: 1789 or #1789.
var ticketNumber = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^#?\s*([0-9]{1,20})$`) })

// TicketNumber returns the ticket number a search query is ("1789" for
// "1789" or "#1789", spaces around aside), or "" when it is not one.
func TicketNumber(q string) string {
	m := ticketNumber().FindStringSubmatch(strings.TrimSpace(q))
	if m == nil {
		return ""
	}
	return m[1]
}

// Facets counts the tickets of a list per state category and per type,
// each with the list's other filters applied: the state counts ignore the
// state filter (and apply the type and date filters, and the search),
// the type counts ignore the type filter (and apply the state and date
// filters, and the search). Both count only the tickets the list's user
// sees on the tab.
type Facets struct {
	// State has every state category of StateCategories, with 0 when no
	// ticket is in it. Tickets of other state categories are in no count.
	State map[string]int
	// Types has every type of the tab's tickets (that match the search,
	// when there is one), whatever their state and dates, so that the
	// list of types does not change as filters do; a type's count may be
	// 0. Sorted by name, then id. Its name is the workspace's name of that
	// ticket type (as last imported; "" for a type the workspace does not
	// know). Tickets without a type are in no count.
	Types []TypeCount
}

// TypeCount is how many tickets of a list are of one type.
type TypeCount struct {
	ID    string
	Name  string
	Count int
}

// NewFacets returns facets with every state category at 0 and no types.
func NewFacets() Facets {
	f := Facets{State: make(map[string]int, len(StateCategories)), Types: []TypeCount{}}
	for _, s := range StateCategories {
		f.State[s] = 0
	}
	return f
}

// SortTypes sorts the type counts by name, then id.
func (f *Facets) SortTypes() {
	slices.SortFunc(f.Types, func(a, b TypeCount) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
