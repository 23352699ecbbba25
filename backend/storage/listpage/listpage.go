// Package listpage holds what every store's portal list and search have
// in common and that is not SQL: the page cursors (their format, and the
// sort and order they were made for), the order of a list (its sort key,
// then the id, both in the order's direction), the facets made from
// grouped counts (every state category with zeros, every type of the tab
// with its name), and a search's page (the numbered ticket first, then
// best first or in the filter's sort). Each store keeps only its queries:
// it reads the keys, counts or hits in its own SQL and hands them here.
//
// It imports only the domain, never a database driver.
package listpage

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"

	"portalstudio/backend/portal"
)

// DefaultLimit is the page size of a query without one (or with one out
// of 1 to MaxLimit).
const (
	DefaultLimit = 20
	MaxLimit     = 200
)

// Limit returns the page size a store serves for a query's limit.
func Limit(n int) int {
	if n <= 0 || n > MaxLimit {
		return DefaultLimit
	}
	return n
}

// Companies returns the companies whose tickets a tab lists besides the
// user's own: the user's (without repeats or empty ids) on the All tab,
// none on Mine. Returns EINVALID for another tab.
func Companies(tab string, companyIDs []string) ([]string, error) {
	switch tab {
	case portal.TabAll:
		return Dedupe(companyIDs), nil
	case portal.TabMine:
		return []string{}, nil
	}
	return nil, portal.Errorf(portal.EINVALID, "unknown tab %q; use all or mine", tab)
}

// Dedupe returns the ids without empty ones or repeats, in their order
// (an empty list, never nil, for none).
func Dedupe(ids []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Order is the normalised sort and order of a list: portal.SortUpdated
// or portal.SortCreated, portal.OrderDesc or portal.OrderAsc.
func Order(f portal.TicketFilter) (sortKey, order string) {
	order = portal.OrderDesc
	if f.Ascending() {
		order = portal.OrderAsc
	}
	return f.SortKey(), order
}

// UnixCeil returns the first whole second at or after t: the stores keep
// times in whole seconds, so created_at >= t is created_at >= UnixCeil(t)
// and created_at < t is created_at < UnixCeil(t).
func UnixCeil(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

// Dates returns the filter's creation dates as whole seconds: tickets
// created at or after after and before before are kept (the extremes of
// int64 for a bound not set).
func Dates(f portal.TicketFilter) (after, before int64) {
	after, before = math.MinInt64, math.MaxInt64
	if !f.CreatedAfter.IsZero() {
		after = UnixCeil(f.CreatedAfter)
	}
	if !f.CreatedBefore.IsZero() {
		before = UnixCeil(f.CreatedBefore)
	}
	return after, before
}

// Key is a ticket's place in a list: its sort key (the last update or the
// creation, Unix seconds) and its id.
type Key struct {
	Key int64
	ID  string
}

// KeyOf returns a ticket's place in a list of the filter's sort.
func KeyOf(t *portal.Ticket, f portal.TicketFilter) Key {
	if f.SortKey() == portal.SortCreated {
		return Key{t.CreatedAt.Unix(), t.ID}
	}
	return Key{t.UpdatedAt.Unix(), t.ID}
}

// compare orders keys by key, then id (as text, byte by byte).
func compare(a, b Key) int {
	switch {
	case a.Key < b.Key:
		return -1
	case a.Key > b.Key:
		return 1
	}
	return strings.Compare(a.ID, b.ID)
}

// Page returns the first limit keys in the filter's order (the sort key,
// then the id, both in the order's direction), each id once, and the
// cursor of the next page ("" when there is none). keys is the union of
// the stores' sources, each holding at least limit+1 keys or all it has.
func Page(keys []Key, f portal.TicketFilter, limit int) (page []Key, next string) {
	seen := make(map[string]bool, len(keys))
	page = make([]Key, 0, len(keys))
	for _, k := range keys {
		if !seen[k.ID] {
			seen[k.ID] = true
			page = append(page, k)
		}
	}
	desc := !f.Ascending()
	slices.SortFunc(page, func(a, b Key) int {
		if desc {
			return -compare(a, b)
		}
		return compare(a, b)
	})
	if len(page) > limit {
		page = page[:limit]
		last := page[len(page)-1]
		next = EncodeCursor(last, f)
	}
	return page, next
}

// cursor is the position after the last ticket of a page: its sort key
// and id, and the sort and order it was made for (a cursor of another
// order would skip or repeat tickets). Cursors of the default order
// carry neither, as those made before lists had sorts did.
type cursor struct {
	Key   int64  `json:"u"`
	ID    string `json:"i"`
	Sort  string `json:"s,omitempty"`
	Order string `json:"o,omitempty"`
}

// EncodeCursor returns the cursor of the page after the ticket at k.
func EncodeCursor(k Key, f portal.TicketFilter) string {
	s, o := Order(f)
	c := cursor{Key: k.Key, ID: k.ID}
	if s != portal.SortUpdated || o != portal.OrderDesc {
		c.Sort, c.Order = s, o
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

var errBadCursor = portal.Errorf(portal.EINVALID, "the page cursor is not valid; start again from the first page")

// DecodeCursor returns the place a list's cursor continues after, or nil
// for "" (the first page). Returns EINVALID for a cursor no store made,
// or one made for another sort or order than the filter's.
func DecodeCursor(s string, f portal.TicketFilter) (*Key, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" {
		return nil, errBadCursor
	}
	if c.Sort == "" && c.Order == "" {
		c.Sort, c.Order = portal.SortUpdated, portal.OrderDesc
	}
	if sortKey, order := Order(f); c.Sort != sortKey || c.Order != order {
		return nil, portal.Errorf(portal.EINVALID, "the page cursor was made for another sort or order (%s, %s); start again from the first page", c.Sort, c.Order)
	}
	return &Key{c.Key, c.ID}, nil
}

// searchOrder is the sort and order a search's page cursor is made for:
// "" for best first (whatever the order).
func searchOrder(f portal.TicketFilter) (sortKey, order string) {
	if f.Sort == "" {
		return "", ""
	}
	return Order(f)
}

// offsetCursor is the position of a search's next page: how many results
// come before it, and the sort and order it was made for (neither for
// best first, as cursors made before searches had sorts).
type offsetCursor struct {
	Offset int    `json:"o"`
	Sort   string `json:"s,omitempty"`
	Order  string `json:"r,omitempty"`
}

// maxOffset bounds a search cursor's offset.
const maxOffset = 100000

// EncodeOffset is the cursor of the search page after the first n
// results under the filter (see DecodeOffset).
func EncodeOffset(n int, f portal.TicketFilter) string {
	c := offsetCursor{Offset: n}
	c.Sort, c.Order = searchOrder(f)
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeOffset returns how many results come before the page a search's
// cursor names (0 for ""). Returns EINVALID for a cursor no store made,
// or one made for another sort or order than the filter's.
func DecodeOffset(s string, f portal.TicketFilter) (int, error) {
	if s == "" {
		return 0, nil
	}
	var m map[string]json.RawMessage
	var c offsetCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if _, ok := m["o"]; err != nil || !ok || c.Offset < 0 || c.Offset > maxOffset {
		return 0, errBadCursor
	}
	if sortKey, order := searchOrder(f); c.Sort != sortKey || c.Order != order {
		return 0, portal.Errorf(portal.EINVALID, "the page cursor was made for another sort or order; start again from the first page")
	}
	return c.Offset, nil
}
