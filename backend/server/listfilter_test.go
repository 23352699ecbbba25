package server_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// facetsOf reads an answer's facets.
func facetsOf(t *testing.T, r response) (states map[string]int, types []struct {
	ID, Name string
	Count    int
}) {
	t.Helper()
	var body struct {
		Facets struct {
			State map[string]int `json:"state"`
			Type  []struct {
				ID, Name string
				Count    int
			} `json:"type"`
		} `json:"facets"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	return body.Facets.State, body.Facets.Type
}

func TestPortalListFilters(t *testing.T) {
	f := newFixture(t)
	ann, ben := f.identity(t, "ann-ext"), f.identity(t, "ben-ext")

	t.Run("BadParameters", func(t *testing.T) {
		for query, param := range map[string]string{
			"state=open":                                         "state",
			"type=" + strings.Repeat("x", 300):                   "type",
			"created_after=last+week":                            "created_after",
			"created_before=2026-02-30":                          "created_before",
			"created_after=2026-05-02&created_before=2026-05-01": "created_after",
			"sort=title":                                         "sort",
			"order=newest":                                       "order",
			"sort=created&sort=updated":                          "sort",
			"q=refund&order=sideways":                            "order",
			"tab=mine&state=resolved,closed":                     "state",
		} {
			r := f.portal(t, "/api/tickets?"+query, ann)
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if r.status != http.StatusBadRequest || json.Unmarshal(r.body, &e) != nil || e.Error.Code != "invalid" || !strings.HasPrefix(e.Error.Message, param+" ") {
				t.Fatalf("?%s: %d %s, want 400 invalid naming %s", query, r.status, r.body, param)
			}
		}
	})
	t.Run("CursorOfAnotherSort", func(t *testing.T) {
		p1 := getList(t, f, ann, "?limit=1&sort=created&order=asc")
		if p1.Next == "" {
			t.Fatalf("page 1 %+v", p1)
		}
		for _, other := range []string{"", "&sort=created", "&order=asc", "&sort=updated&order=asc"} {
			r := f.portal(t, "/api/tickets?limit=1&cursor="+url.QueryEscape(p1.Next)+other, ann)
			if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "another sort or order") {
				t.Fatalf("a created/asc cursor with %q: %d %s", other, r.status, r.body)
			}
		}
		if p2 := getList(t, f, ann, "?limit=1&sort=created&order=asc&cursor="+url.QueryEscape(p1.Next)); p2.ids() != "t2" || p2.Next != "" {
			t.Fatalf("page 2 %+v", p2)
		}
		// A search's cursor likewise.
		s1 := getList(t, f, ann, "?q=ticket&limit=1&sort=created&order=asc")
		if s1.ids() != "t1" || s1.Next == "" {
			t.Fatalf("search page 1 %+v", s1)
		}
		if r := f.portal(t, "/api/tickets?q=ticket&limit=1&cursor="+url.QueryEscape(s1.Next), ann); r.status != http.StatusBadRequest {
			t.Fatalf("a sorted search's cursor for a best-first search: %d %s", r.status, r.body)
		}
		if s2 := getList(t, f, ann, "?q=ticket&limit=1&sort=created&order=asc&cursor="+url.QueryEscape(s1.Next)); s2.ids() != "t2" || s2.Next != "" {
			t.Fatalf("search page 2 %+v", s2)
		}
	})
	t.Run("OldCursors", func(t *testing.T) {
		// Cursors the portal issued before lists had sorts, literally:
		// a list's {"u": updated, "i": id} and a search's {"o": offset}.
		// They mean the default order, so a customer paging at the
		// upgrade goes on where they were.
		// t1 was updated an hour ago, t2 two: after t1 comes t2.
		old := base64.RawURLEncoding.EncodeToString([]byte(`{"u":` + strconv.FormatInt(now.Add(-time.Hour).Unix(), 10) + `,"i":"t1"}`))
		if l := getList(t, f, ann, "?limit=1&cursor="+old); l.ids() != "t2" || l.Next != "" {
			t.Fatalf("an old list cursor: %+v", l)
		}
		best := getList(t, f, ann, "?q=ticket")
		if best.ids() == "" || len(best.Tickets) != 2 {
			t.Fatalf("the search %+v", best)
		}
		oldSearch := base64.RawURLEncoding.EncodeToString([]byte(`{"o":1}`))
		if oldSearch != "eyJvIjoxfQ" {
			t.Fatalf("old search cursor %q", oldSearch)
		}
		if l := getList(t, f, ann, "?q=ticket&limit=1&cursor="+oldSearch); l.ids() != best.Tickets[1].ID || l.Next != "" {
			t.Fatalf("an old search cursor: %+v, want %s", l, best.Tickets[1].ID)
		}
		// For another sort than the one it was made for (best first),
		// it is refused with a sentence, as any cursor is.
		if r := f.portal(t, "/api/tickets?q=ticket&limit=1&sort=created&cursor="+oldSearch, ann); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "another sort or order") {
			t.Fatalf("an old search cursor with sort=created: %d %s", r.status, r.body)
		}
	})
	t.Run("FiltersAndSort", func(t *testing.T) {
		// Every ticket is in progress, of type ty, created at the same
		// second: ties by id, in the order's direction.
		if l := getList(t, f, ann, "?state=in_progress&type=ty&sort=created&order=asc"); l.ids() != "t1,t2" || l.Total != 2 {
			t.Fatalf("asc %+v", l)
		}
		if l := getList(t, f, ann, "?state=in_progress&type=ty&sort=created"); l.ids() != "t2,t1" {
			t.Fatalf("desc %+v", l)
		}
		if l := getList(t, f, ann, "?created_before=2026-10-30T12:00:00Z"); l.ids() != "" || l.Total != 0 {
			t.Fatalf("created_before is exclusive %+v", l)
		}
		if l := getList(t, f, ann, "?created_before=2026-10-30T12:00:01Z"); l.ids() != "t1,t2" {
			t.Fatalf("created_before after the creation %+v", l)
		}
		if l := getList(t, f, ann, "?created_after=2026-10-30T12:00:01Z"); l.ids() != "" || l.Total != 0 {
			t.Fatalf("created_after after the creation %+v", l)
		}
		if l := getList(t, f, ann, "?created_after=2026-10-30T12:00:00Z"); l.ids() != "t1,t2" {
			t.Fatalf("created_after is inclusive %+v", l)
		}
		// A state filter that keeps nothing: the state facet ignores it,
		// the type facet applies it.
		r := f.portal(t, "/api/tickets?state=resolved", ann)
		states, types := facetsOf(t, r)
		want := map[string]int{"submitted": 0, "in_progress": 2, "waiting_on_customer": 0, "resolved": 0}
		if r.status != 200 || !reflect.DeepEqual(states, want) || len(types) != 1 || types[0].ID != "ty" || types[0].Name != "Bug" || types[0].Count != 0 {
			t.Fatalf("facets under state=resolved: %d %s", r.status, r.body)
		}
	})
	t.Run("RestrictedFacets", func(t *testing.T) {
		// Ben (restricted) shares Examply with Ann: his counts are his own
		// ticket's only, Ann's her company's.
		states, types := facetsOf(t, f.portal(t, "/api/tickets", ben))
		if states["in_progress"] != 1 || len(types) != 1 || types[0].Count != 1 {
			t.Fatalf("Ben's facets %v %v", states, types)
		}
		states, types = facetsOf(t, f.portal(t, "/api/tickets", ann))
		if states["in_progress"] != 2 || len(types) != 1 || types[0].Count != 2 {
			t.Fatalf("Ann's facets %v %v", states, types)
		}
	})
	t.Run("NumberSearch", func(t *testing.T) {
		for _, q := range []string{"102", "%23102", "+%23102+"} {
			if l := getList(t, f, ann, "?q="+q); l.ids() != "t2" || l.Total != 1 {
				t.Fatalf("Ann searching %s: %+v", q, l)
			}
		}
		// A number the user may not see answers like one no ticket has:
		// Cat's ticket for Ann, Ann's for Ben (restricted), a ticket that
		// is not shared, a Back-office one.
		same := func(who, token, hidden string) {
			t.Helper()
			strip := func(r response) string {
				m := r.json(t)
				delete(m, "search")
				b, _ := json.Marshal(m)
				return string(b)
			}
			h, n := f.portal(t, "/api/tickets?q=%23"+hidden, token), f.portal(t, "/api/tickets?q=%23999", token)
			if h.status != 200 || strip(h) != strip(n) {
				t.Fatalf("%s searching hidden #%s: %d %s\nnonexistent: %d %s", who, hidden, h.status, h.body, n.status, n.body)
			}
		}
		same("Ann", ann, "103")
		same("Ann", ann, "104")
		same("Ann", ann, "105")
		same("Ben", ben, "101")
		if l := getList(t, f, ann, "?tab=mine&q=102"); l.ids() != "" {
			t.Fatalf("Ben's ticket is not on Ann's mine tab: %+v", l)
		}
	})
}
