package app_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
	"portalstudio/backend/wire"
)

// TestUIPreviewFilters drives, in headless Chromium over browser mode on
// a demo workspace, the filter bar of the studio's preview pane (the
// portal's own): choosing a state chip and then a sort changes the list
// and the chips' counts to what the Preview binding answers for that
// filter; sorted by creation, the date column is the creation's; Clear
// filters keeps the sort. Screenshots at 1440 and 390 px wide go to
// PORTALSTUDIO_SCREENSHOTS when set (else the test's temporary folder).
func TestUIPreviewFilters(t *testing.T) {
	t.Setenv(remote.NoKeyringEnv, "1")
	dir := screenshotDir(t)
	u := newUI(t, 300)
	u.open()
	samples, err := u.b.SampleUsers("draft")
	if err != nil || samples.Unrestricted == nil {
		t.Fatalf("no unrestricted user: %v", err)
	}
	user := samples.Unrestricted
	const pane = "#pane-1"
	rows := `[...document.querySelectorAll("` + pane + ` .ticket-row")].map(r => r.dataset.id).join(",")`

	// shows waits until the pane shows what the Preview binding answers
	// for the filter: the list, each state chip's and type chip's count,
	// and the date column of the list's sort.
	shows := func(what string, f portal.TicketFilter) wire.PreviewResult {
		t.Helper()
		want, err := u.b.Preview(wire.PreviewRequest{User: user.ID, Limit: 10, TicketFilter: f})
		if err != nil {
			t.Fatalf("%s: the binding: %v", what, err)
		}
		var ids, dates []string
		head := "Updated"
		for _, tk := range want.Tickets {
			ids = append(ids, tk.ID)
			d := tk.UpdatedAt
			if f.Sort == portal.SortCreated {
				head, d = "Opened", tk.CreatedAt
			}
			dates = append(dates, d.UTC().Format(time.RFC3339))
		}
		u.wait(what+": the list", fmt.Sprintf(`!document.querySelector("%s .portal-frame.busy") && %s === %q`, pane, rows, strings.Join(ids, ",")))
		for state, n := range want.Facets.State {
			u.wait(what+": the count of "+state, fmt.Sprintf(`(document.querySelector('%s .chip[data-param="state"][data-value=%q] .chip-count')||{}).textContent === %q`, pane, state, fmt.Sprint(n)))
		}
		for _, ty := range want.Facets.Type {
			u.wait(what+": the count of type "+ty.ID, fmt.Sprintf(`(document.querySelector('%s .chip[data-param="type"][data-value=%q] .chip-count')||{}).textContent === %q`, pane, ty.ID, fmt.Sprint(ty.Count)))
		}
		if len(dates) > 0 {
			u.wait(what+": the date column", fmt.Sprintf(`[...document.querySelectorAll("%s .ticket-row td.col-date time")].map(t => t.dateTime).join(",") === %q && document.querySelector("%s .tickets th.col-date").textContent === %q`,
				pane, strings.Join(dates, ","), pane, head))
		}
		return *want
	}

	u.click("#nav-preview")
	u.wait("the unrestricted user", fmt.Sprintf(`document.querySelector("%s .who-email") && document.querySelector("%s .who-email").textContent === %q && document.querySelector("%s #filters-1")`, pane, pane, user.Email, pane))
	all := shows("the whole tab", portal.TicketFilter{})
	// A state that holds some of the tab's tickets but not all.
	state := ""
	for _, s := range portal.StateCategories {
		if n := all.Facets.State[s]; n > 0 && n < all.Total && (state == "" || n > all.Facets.State[state]) {
			state = s
		}
	}
	if state == "" {
		t.Fatalf("the demo user's tickets are all in one state: %v", all.Facets.State)
	}

	u.click(fmt.Sprintf(`%s .chip[data-param="state"][data-value=%q]`, pane, state))
	f := portal.TicketFilter{State: []string{state}}
	byState := shows("a state chip", f)
	u.wait("the chip pressed", fmt.Sprintf(`document.querySelector('%s .chip[data-value=%q]').getAttribute("aria-pressed") === "true"`, pane, state))
	if byState.Total >= all.Total {
		t.Errorf("the %s chip keeps %d of %d tickets", state, byState.Total, all.Total)
	}

	u.set("#filter-sort-1", "created:asc", "change")
	f.Sort, f.Order = portal.SortCreated, portal.OrderAsc
	shows("the state chip, oldest first", f)
	// The other pane is its own: no filter there.
	if on := u.eval(`document.querySelectorAll("#pane-0 .chip.on").length`); on != "0" {
		t.Errorf("the other pane has %s chips pressed", on)
	}

	for _, w := range []int{1440, 390} {
		u.do("resize", chromedp.EmulateViewport(int64(w), 900))
		u.wait("the pane at the new width", fmt.Sprintf(`document.querySelector("%s #filters-1") && !document.querySelector("%s .portal-frame.busy")`, pane, pane))
		if over := u.eval(`document.documentElement.scrollWidth - window.innerWidth`); over != "0" {
			t.Errorf("at %d px the preview page scrolls sideways by %s px", w, over)
		}
		u.screenshot(filepath.Join(dir, fmt.Sprintf("preview-filters-%d.jpg", w)))
	}
	u.do("resize", chromedp.EmulateViewport(1280, 900))

	u.click("#clear-filters-1")
	shows("cleared (the sort stays)", portal.TicketFilter{Sort: portal.SortCreated, Order: portal.OrderAsc})
	if got := u.eval(`document.querySelector("#filter-sort-1").value`); got != "created:asc" {
		t.Errorf("the sort after Clear filters: %q", got)
	}
}
