package listpage_test

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/listpage"
)

var orders = []portal.TicketFilter{
	{},
	{Sort: portal.SortUpdated, Order: portal.OrderAsc},
	{Sort: portal.SortCreated},
	{Sort: portal.SortCreated, Order: portal.OrderAsc},
}

// Pages cut with Page and continued from their cursors list every key
// once, in the order's sort key then id, whatever the sources' overlap.
func TestPageWalksEveryKeyInOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		f := orders[r.IntN(len(orders))]
		var all []listpage.Key
		for i := 0; i < r.IntN(40); i++ {
			all = append(all, listpage.Key{Key: int64(r.IntN(5)), ID: fmt.Sprintf("t%d", i)})
		}
		want := slices.Clone(all)
		slices.SortFunc(want, func(a, b listpage.Key) int {
			c := int(a.Key - b.Key)
			if c == 0 {
				c = strings.Compare(a.ID, b.ID)
			}
			if f.Ascending() {
				return c
			}
			return -c
		})
		limit := 1 + r.IntN(7)
		var got []listpage.Key
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > len(all)+1 {
				t.Fatalf("round %d: the pages never end", round)
			}
			after, err := listpage.DecodeCursor(cursor, f)
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			// Two overlapping sources, each with limit+1 keys after the
			// cursor in the order, as a store reads them.
			var src []listpage.Key
			for _, k := range want {
				if after == nil || beyond(k, *after, f) {
					src = append(src, k)
				}
			}
			src = src[:min(len(src), limit+1)]
			page, next := listpage.Page(append(slices.Clone(src), src...), f, limit)
			got = append(got, page...)
			if next == "" {
				break
			}
			cursor = next
		}
		if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("round %d %+v limit %d: got %v, want %v", round, f, limit, got, want)
		}
	}
}

func beyond(k, after listpage.Key, f portal.TicketFilter) bool {
	if f.Ascending() {
		return k.Key > after.Key || k.Key == after.Key && k.ID > after.ID
	}
	return k.Key < after.Key || k.Key == after.Key && k.ID < after.ID
}

// Cursors made before lists and searches had sorts, literally, go on in
// the default order and are refused for another; a cursor of one order is
// refused for the others; garbage is refused with a sentence.
func TestCursorFormats(t *testing.T) {
	oldList := base64.RawURLEncoding.EncodeToString([]byte(`{"u":1700000000,"i":"t9"}`))
	k, err := listpage.DecodeCursor(oldList, portal.TicketFilter{})
	if err != nil || *k != (listpage.Key{Key: 1700000000, ID: "t9"}) {
		t.Fatalf("an old list cursor: %v %v", k, err)
	}
	if listpage.EncodeCursor(*k, portal.TicketFilter{}) != oldList {
		t.Fatalf("the default order's cursor is no longer the old format: %s", listpage.EncodeCursor(*k, portal.TicketFilter{}))
	}
	oldSearch := base64.RawURLEncoding.EncodeToString([]byte(`{"o":40}`))
	if n, err := listpage.DecodeOffset(oldSearch, portal.TicketFilter{}); err != nil || n != 40 {
		t.Fatalf("an old search cursor: %d %v", n, err)
	}
	if n, err := listpage.DecodeOffset(oldSearch, portal.TicketFilter{Order: portal.OrderAsc}); err != nil || n != 40 {
		t.Fatalf("an old search cursor, best first with an order: %d %v", n, err)
	}
	for _, f := range orders[1:] {
		if _, err := listpage.DecodeCursor(oldList, f); portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(portal.ErrorMessage(err), "another sort or order") {
			t.Errorf("an old list cursor for %+v: %v", f, err)
		}
		if _, err := listpage.DecodeOffset(oldSearch, f); portal.ErrorCode(err) != portal.EINVALID {
			t.Errorf("an old search cursor for %+v: %v", f, err)
		}
		for _, g := range orders {
			_, err := listpage.DecodeCursor(listpage.EncodeCursor(listpage.Key{Key: 5, ID: "x"}, f), g)
			fs, fo := listpage.Order(f)
			gs, gord := listpage.Order(g)
			if same := fs == gs && fo == gord; same != (err == nil) {
				t.Errorf("a %+v cursor for %+v: %v", f, g, err)
			}
		}
	}
	for _, bad := range []string{"%%", base64.RawURLEncoding.EncodeToString([]byte(`{"u":1}`)), base64.RawURLEncoding.EncodeToString([]byte(`[]`))} {
		if _, err := listpage.DecodeCursor(bad, portal.TicketFilter{}); portal.ErrorCode(err) != portal.EINVALID {
			t.Errorf("list cursor %q: %v", bad, err)
		}
	}
	for _, bad := range []string{"%%", base64.RawURLEncoding.EncodeToString([]byte(`{"u":1}`)), base64.RawURLEncoding.EncodeToString([]byte(`{"o":-1}`)), base64.RawURLEncoding.EncodeToString([]byte(`{"o":100001}`))} {
		if _, err := listpage.DecodeOffset(bad, portal.TicketFilter{}); portal.ErrorCode(err) != portal.EINVALID {
			t.Errorf("search cursor %q: %v", bad, err)
		}
	}
}

// The facets made from cells are the plain definition's: per state with
// the type and dates applied, per type with the state and dates applied,
// every type listed, every state at 0 or more; the total is what the
// whole filter keeps.
func TestFacetsMatchPlainCounts(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	states := append(slices.Clone(portal.StateCategories), "other")
	types := []string{"", "a", "b", "c"}
	names := map[string]string{"a": "Bug", "b": "Access"} // c is unknown
	for round := 0; round < 300; round++ {
		var tickets []portal.Ticket
		for i := 0; i < r.IntN(30); i++ {
			tickets = append(tickets, portal.Ticket{ID: fmt.Sprint(i), StateCategory: states[r.IntN(len(states))], TypeID: types[r.IntN(len(types))],
				CreatedAt: t0.Add(time.Duration(r.IntN(10)) * time.Hour)})
		}
		var f portal.TicketFilter
		for _, s := range states[:4] {
			if r.IntN(3) == 0 {
				f.State = append(f.State, s)
			}
		}
		for _, ty := range types[1:] {
			if r.IntN(3) == 0 {
				f.Types = append(f.Types, ty)
			}
		}
		if r.IntN(2) == 0 {
			f.CreatedAfter = t0.Add(time.Duration(r.IntN(10))*time.Hour - time.Duration(r.IntN(2))*time.Minute)
		}
		if r.IntN(2) == 0 {
			f.CreatedBefore = t0.Add(time.Duration(5+r.IntN(10)) * time.Hour)
		}
		cells := listpage.Cells{}
		after, before := listpage.Dates(f)
		for _, tk := range tickets {
			kept := 0
			if c := tk.CreatedAt.Unix(); c >= after && c < before {
				kept = 1
			}
			cells.AddGroup(tk.StateCategory, tk.TypeID, 1, kept)
		}
		got, total := cells.Facets(f, names)

		want := portal.NewFacets()
		wantTotal := 0
		counts := map[string]int{}
		noState, noType := f, f
		noState.State, noType.Types = nil, nil
		for i := range tickets {
			tk := &tickets[i]
			if f.Keeps(tk) {
				wantTotal++
			}
			if _, ok := want.State[tk.StateCategory]; ok && noState.Keeps(tk) {
				want.State[tk.StateCategory]++
			}
			if tk.TypeID != "" {
				counts[tk.TypeID] += 0
				if noType.Keeps(tk) {
					counts[tk.TypeID]++
				}
			}
		}
		for id, n := range counts {
			want.Types = append(want.Types, portal.TypeCount{ID: id, Name: names[id], Count: n})
		}
		want.SortTypes()
		if total != wantTotal || !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d %+v: got %+v %d, want %+v %d", round, f, got, total, want, wantTotal)
		}
	}
}

// A search's page: the numbered ticket first, then best first (then
// newer, then the greater id), or the filter's sort; the filter keeps
// what it keeps and the total counts it; the offset cursor goes on.
func TestSearchPage(t *testing.T) {
	hits := []listpage.Hit{
		{ID: "a", Score: 1, Updated: 10, Created: 3, State: portal.StateResolved},
		{ID: "b", Score: 5, Updated: 20, Created: 2, State: portal.StateSubmitted},
		{ID: "c", Score: 5, Updated: 30, Created: 1, State: portal.StateSubmitted},
		{ID: "d", Score: 0, Updated: 5, Created: 4, State: portal.StateSubmitted, Number: true},
		{ID: "e", Score: 5, Updated: 30, Created: 1, State: portal.StateInProgress},
	}
	ids := func(f portal.TicketFilter, limit int) (out []string, total int) {
		cursor := ""
		for {
			off, err := listpage.DecodeOffset(cursor, f)
			if err != nil {
				t.Fatal(err)
			}
			res := listpage.Filter(slices.Clone(hits), f)
			p := res.Page(off, limit)
			out, total = append(out, p.IDs...), p.Total
			if cursor = p.Next; cursor == "" {
				return out, total
			}
		}
	}
	for _, c := range []struct {
		f    portal.TicketFilter
		want string
	}{
		{portal.TicketFilter{}, "d,e,c,b,a"},
		{portal.TicketFilter{Sort: portal.SortCreated}, "d,a,b,e,c"},
		{portal.TicketFilter{Sort: portal.SortCreated, Order: portal.OrderAsc}, "d,c,e,b,a"},
		{portal.TicketFilter{Sort: portal.SortUpdated, Order: portal.OrderAsc}, "d,a,b,c,e"},
		{portal.TicketFilter{State: []string{portal.StateSubmitted}}, "d,c,b"},
	} {
		for limit := 1; limit <= 6; limit++ {
			got, total := ids(c.f, limit)
			if strings.Join(got, ",") != c.want || total != len(got) {
				t.Errorf("%+v limit %d: %v (total %d), want %s", c.f, limit, got, total, c.want)
			}
		}
	}
	res := listpage.Filter(hits, portal.TicketFilter{State: []string{portal.StateSubmitted}})
	fc, total := res.Cells().Facets(portal.TicketFilter{State: []string{portal.StateSubmitted}}, nil)
	if total != 3 || fc.State[portal.StateResolved] != 1 || fc.State[portal.StateInProgress] != 1 || fc.State[portal.StateSubmitted] != 3 {
		t.Fatalf("search facets %+v %d", fc, total)
	}
}

func TestCompanies(t *testing.T) {
	if c, err := listpage.Companies(portal.TabAll, []string{"b", "", "a", "b"}); err != nil || strings.Join(c, ",") != "b,a" {
		t.Fatalf("all: %v %v", c, err)
	}
	if c, err := listpage.Companies(portal.TabMine, []string{"a"}); err != nil || c == nil || len(c) != 0 {
		t.Fatalf("mine: %v %v", c, err)
	}
	if _, err := listpage.Companies("others", nil); portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(portal.ErrorMessage(err), "all or mine") {
		t.Fatalf("another tab: %v", err)
	}
}
