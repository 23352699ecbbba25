package frontend

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// The sign-in form as the server prerenders it must be sendable before
// the WebAssembly runs: a button with a disabled attribute, even
// disabled="false", cannot send it.
func TestSignInFormPrerenderedSendable(t *testing.T) {
	h := app.HTMLString(signInBox("/portal/acme/", "", false))
	for _, want := range []string{`action="/portal/acme/session"`, `method="post"`, `name="token"`, `type="submit"`, "Sign-in link or code"} {
		if !strings.Contains(h, want) {
			t.Errorf("missing %q in\n%s", want, h)
		}
	}
	if strings.Contains(h, "disabled") || strings.Contains(strings.ToLower(h), "identity token") {
		t.Errorf("the form is not sendable or speaks of identity tokens:\n%s", h)
	}
	if h := app.HTMLString(signInBox("/portal/acme/", "", true)); !strings.Contains(h, "disabled") {
		t.Errorf("a busy form's button is not disabled:\n%s", h)
	}
	// A refused plain form post comes back with why, prerendered.
	h = app.HTMLString(signInContent("/portal/acme/", wire.RefusedExpired, customerState{}))
	if !strings.Contains(h, "This sign-in link has expired — open the portal again from our website.") {
		t.Errorf("the refusal is not on the page:\n%s", h)
	}
}

func TestListViewInAddress(t *testing.T) {
	for _, v := range []listView{{}, {Tab: "mine"}, {Search: "card declined & co"}, {Tab: "all", Search: "#1789"}} {
		h := v.href("/portal/acme/")
		u, err := url.Parse(h)
		if err != nil || u.Path != "/portal/acme/" {
			t.Fatalf("%+v: %q (%v)", v, h, err)
		}
		if got := viewOf(u.Query()); got != v {
			t.Errorf("%+v → %q → %+v", v, h, got)
		}
	}
	if h := (listView{}).href("/portal/acme/"); h != "/portal/acme/" {
		t.Errorf("the default view's address is %q", h)
	}
}

func TestTicketPageDatesAndAuthor(t *testing.T) {
	created := time.Date(2026, 3, 3, 14, 5, 0, 0, time.UTC)
	d := &wire.TicketDetail{
		TicketView:  wire.TicketView{ID: "700001728", TicketID: "2925", Title: "Card declined", State: "In progress", UpdatedAt: created.Add(48 * time.Hour), CreatedBy: "Ann Smith"},
		Description: "My card is declined.",
		TypeName:    "Billing",
	}
	d.CreatedAt = created // (a field of TicketDetail, or of its TicketView)
	h := app.HTMLString(portalBody(portalProps{Result: &wire.PreviewResult{Access: true}, Ticket: d, Now: created.Add(72 * time.Hour)}))
	for _, want := range []string{"#2925", "Billing", "In progress", `datetime="2026-03-03T14:05:00Z"`, "Opened", " by Ann Smith", "Updated 1d", `<span class="part-author">Ann Smith</span>`, "My card is declined."} {
		if !strings.Contains(h, want) {
			t.Errorf("missing %q in\n%s", want, h)
		}
	}
}

func TestTicketListLinksByNumber(t *testing.T) {
	r := &wire.PreviewResult{Access: true, Tabs: []string{"all"}, Tab: "all", Total: 1, Tickets: []wire.TicketView{{ID: "700001728", TicketID: "2925", Title: "Card declined", State: "In progress"}}}
	noop := func(string) app.EventHandler { return func(app.Context, app.Event) {} }
	p := portalProps{Result: r, OnTab: noop, OnOpen: noop, TicketHref: func(t wire.TicketView) string { return ticketHref("/portal/acme/", t.TicketID) }}
	h := app.HTMLString(portalBody(p))
	if !strings.Contains(h, `href="/portal/acme/tickets/2925"`) || strings.Contains(h, "tickets/700001728") {
		t.Errorf("the title does not link to the ticket's number:\n%s", h)
	}
	p.TicketHref = nil
	if h := app.HTMLString(portalBody(p)); strings.Contains(h, "<a ") {
		t.Errorf("without TicketHref (the studio) the list has links:\n%s", h)
	}
}

func TestHelpCenterSpeaksCustomer(t *testing.T) {
	for _, kind := range []string{"collection", "article_list", "contact"} {
		h := app.HTMLString(helpSectionCard(HelpSection{ID: "x", Title: "Getting started", Kind: kind}))
		if !strings.Contains(h, "Getting started") || strings.Contains(h, "Collection") || strings.Contains(h, "Article list") {
			t.Errorf("%s: %s", kind, h)
		}
	}
}

func TestFilterViewInAddress(t *testing.T) {
	v := listView{Tab: "all", listFilter: listFilter{State: "in_progress,resolved", Types: "95", After: "2026-01-01", Before: "2026-02-01", Sort: "created", Order: "asc"}}
	u, err := url.Parse(v.href("/portal/acme/"))
	if err != nil {
		t.Fatal(err)
	}
	if got := viewOf(u.Query()); got != v {
		t.Fatalf("%+v → %s → %+v", v, u, got)
	}
	if u.Query().Get("state") != "in_progress,resolved" || u.Query().Get("created_before") != "2026-02-01" || u.Query().Get("order") != "asc" {
		t.Fatalf("the address does not use the API's parameters: %s", u)
	}
	if toggled("in_progress,resolved", "resolved") != "in_progress" || toggled("", "resolved") != "resolved" || toggled("in_progress", "resolved") != "in_progress,resolved" {
		t.Fatal("toggled")
	}
}

func TestFilterBarAndEmptyState(t *testing.T) {
	noop := func(string) app.EventHandler { return func(app.Context, app.Event) {} }
	facets := &ListFacets{State: map[string]int{"submitted": 2, "in_progress": 0, "waiting_on_customer": 1, "resolved": 9}, Type: []TypeCount{{ID: "95", Name: "Bug report", Count: 0}, {ID: "96", Name: "Question", Count: 12}}}
	r := &wire.PreviewResult{Access: true, Tabs: []string{"all"}, Tab: "all"}
	p := portalProps{Result: r, OnTab: noop, OnOpen: noop, Facets: facets, Filter: listFilter{State: "in_progress", Sort: "created", Order: "asc"},
		OnFilter: func(app.Context, string, string, bool) {}}
	h := regexp.MustCompile(`>\s+<`).ReplaceAllString(app.HTMLString(portalBody(p)), "><")
	chipTag := func(value string) string {
		return regexp.MustCompile(`<button[^>]*data-value="` + value + `"[^>]*>`).FindString(h)
	}
	// (HTMLString writes aria-pressed="true" bare; the browser gets "true".)
	if !strings.Contains(chipTag("in_progress"), `class="chip on"`) || !strings.Contains(chipTag("resolved"), `aria-pressed="false"`) {
		t.Errorf("the chips' pressed states: %q, %q", chipTag("in_progress"), chipTag("resolved"))
	}
	if sel := regexp.MustCompile(`<option[^>]*selected[^>]*>`).FindAllString(h, -1); len(sel) != 1 || !strings.Contains(sel[0], `value="created:asc"`) {
		t.Errorf("the sort menu's choice: %q", sel)
	}
	for _, want := range []string{
		`<span class="chip-label">Resolved</span><span class="chip-count">9</span>`, `<span class="chip-label">Bug report</span><span class="chip-count">0</span>`,
		`id="clear-filters"`,
		"No tickets are In progress — 12 tickets in other states. The status filter hides them all.", `id="empty-clear-filters"`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("missing %q in\n%s", want, h)
		}
	}
	p.Filter = listFilter{Types: "95"}
	if h := app.HTMLString(portalBody(p)); !strings.Contains(h, "No tickets of type Bug report — 12 tickets of other types. The type filter hides them all.") {
		t.Errorf("the type filter's empty state:\n%s", h)
	}
	p.Filter = listFilter{After: "2026-01-01", Before: "2026-02-01"}
	if h := app.HTMLString(portalBody(p)); !strings.Contains(h, "No tickets were opened from 2026-01-01 to 2026-01-31. The date range hides them all.") || !strings.Contains(h, `value="2026-01-31"`) {
		t.Errorf("the date range's empty state:\n%s", h)
	}
	// The studio (no OnFilter) shows no filters.
	p.OnFilter = nil
	if h := app.HTMLString(portalBody(p)); strings.Contains(h, `id="filters"`) {
		t.Errorf("filters without OnFilter:\n%s", h)
	}
}

// The list's date column is the date it is sorted by: the creation when
// sorted by creation (the header says "Opened"), else the last update.
func TestTicketListDateColumnFollowsSort(t *testing.T) {
	created, updated := time.Date(2026, 3, 3, 14, 5, 0, 0, time.UTC), time.Date(2026, 4, 9, 8, 0, 0, 0, time.UTC)
	noop := func(string) app.EventHandler { return func(app.Context, app.Event) {} }
	for _, c := range []struct {
		sort, head string
		when       time.Time
	}{{"", "Updated", updated}, {"updated", "Updated", updated}, {"created", "Opened", created}} {
		r := &wire.PreviewResult{Access: true, Tabs: []string{"all"}, Tab: "all", Total: 1, Filter: portal.TicketFilter{Sort: c.sort},
			Tickets: []wire.TicketView{{ID: "1", TicketID: "2925", Title: "Card declined", State: "In progress", CreatedAt: created, UpdatedAt: updated}}}
		h := app.HTMLString(portalBody(portalProps{Result: r, OnTab: noop, OnOpen: noop, Now: updated.Add(time.Hour)}))
		head := regexp.MustCompile(`<th class="col-date">\s*([^<]*?)\s*</th>`).FindStringSubmatch(h)
		cell := regexp.MustCompile(`<td class="col-date">\s*<time[^>]*\sdatetime="([^"]+)"`).FindStringSubmatch(h)
		if head == nil || head[1] != c.head || cell == nil || cell[1] != c.when.Format(time.RFC3339) {
			t.Errorf("sort %q: header %q, date %q; want %q, %s\n%s", c.sort, head, cell, c.head, c.when.Format(time.RFC3339), h)
		}
	}
}
