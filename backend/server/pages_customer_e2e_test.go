package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/golang-jwt/jwt/v5"

	"portalstudio/backend/portal"
	"portalstudio/backend/studio"
	"portalstudio/backend/wire"
)

// The customer's side of the pages at a desktop's width and a phone's
// (1440 and 390 px), in headless Chromium against the real server: the
// sign-in form (click and Enter, with and without the WebAssembly, and
// why a sign-in is refused), the list as cards on a narrow screen, the
// signed-in name and Sign out on every page, tickets by their number, and
// the view in the address.

// widths are the two screens every check runs at.
var widths = []struct {
	name string
	w, h int64
}{{"1440", 1440, 900}, {"390", 390, 844}}

// tokenUntil signs an identity token for the user that expires at exp.
func (f *pagesFixture) tokenUntil(userID string, exp time.Time) string {
	f.t.Helper()
	u, err := f.ws.UserByID(context.Background(), userID)
	if err != nil {
		f.t.Fatal(err)
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"user_id": u.ExternalID, "exp": exp.Unix()}).SignedString(f.secret)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// signInWithForm pastes token into the sign-in form and sends it by
// clicking Sign in, or by pressing Enter in the field.
func (b *browser) signInWithForm(token string, enter bool) {
	b.t.Helper()
	b.wait("the sign-in form", `document.querySelector("#signin-form") && !document.querySelector("#signin-submit").disabled`)
	b.eval(`(() => { document.querySelector("#signin-token").value = ""; return "ok"; })()`)
	b.do("pasting the sign-in code", chromedp.SendKeys(chromedp.CSS("#signin-token"), token))
	if enter {
		b.do("pressing Enter", chromedp.SendKeys(chromedp.CSS("#signin-token"), kb.Enter))
		return
	}
	b.do("clicking Sign in", chromedp.Click(chromedp.CSS("#signin-submit")))
}

// whoName is how the header names a user.
func whoName(u *portal.UserSummary) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

const (
	jsWho        = `(document.querySelector("#signed-in-as")||{}).textContent`
	jsHasSignOut = `String(!!document.querySelector("#sign-out"))`
	// jsOneLine: every element of the selector sets its text on one
	// line (its text's line boxes share one top; a hidden one has none).
	jsOneLine = `[...document.querySelectorAll(%q)].every(el => { const r = document.createRange(); r.selectNodeContents(el); return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size <= 1; })`
	// jsUncut: no element of the selector is cut (its text fits its box)
	// nor sticks out of the window.
	jsUncut = `[...document.querySelectorAll(%q)].filter(el => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > window.innerWidth + 0.5).map(el => el.textContent + " " + el.scrollWidth + ">" + el.clientWidth).join(" | ")`
)

func TestCustomerPagesInChromium(t *testing.T) {
	f := newPagesFixture(t)
	samples, err := f.svc.SampleUsers(context.Background(), studio.Live)
	if err != nil {
		t.Fatal(err)
	}
	if samples.Restricted == nil || samples.Unrestricted == nil || samples.NoAccess == nil {
		t.Fatalf("the demo workspace lacks a kind of user: %+v", samples)
	}
	shots := func(b *browser, width, name string) { b.shot(width + "-" + name) }

	for i, wd := range widths {
		t.Run("SignIn"+wd.name, func(t *testing.T) {
			b := f.browser(t, chromedp.EmulateViewport(wd.w, wd.h))
			b.open("/portal/demo/login")
			page := b.eval(`document.body.innerText`)
			if strings.Contains(strings.ToLower(page), "identity token") {
				t.Fatalf("the sign-in page speaks of identity tokens:\n%s", page)
			}
			// Expired: the customer reads why, in their words. One width
			// clicks, the other presses Enter.
			expired := f.tokenUntil(samples.Unrestricted.ID, time.Now().Add(-2*time.Hour))
			b.signInWithForm(expired, i == 1)
			b.waitEq("why it was refused", `(document.querySelector("#signin-error")||{}).textContent`, wire.SignInRefusal(wire.RefusedExpired))
			if got := wire.SignInRefusal(wire.RefusedExpired); got != "This sign-in link has expired — open the portal again from our website." {
				t.Fatalf("the expired sentence is %q", got)
			}
			shots(b, wd.name, "signin-expired")
			// Valid: the list, and the name in the header.
			b.signInWithForm(f.token(samples.Unrestricted.ID), i == 0)
			b.wait("the list", `location.pathname === "/portal/demo/" && document.querySelector(".ticket-row")`)
			b.waitEq("the signed-in name", jsWho, whoName(samples.Unrestricted))
		})
	}

	t.Run("SignInWithoutWebAssembly", func(t *testing.T) {
		// Scripts off: the prerendered form posts itself; a refusal
		// comes back as the sign-in page saying why.
		b := f.browser(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}))
		text := func(sel string) string {
			v, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
			if err != nil {
				b.fail("reading "+sel, err)
			}
			return v
		}
		post := func(token string) {
			b.do("posting the form", chromedp.Navigate(f.url+"/portal/demo/login"), chromedp.WaitVisible(chromedp.CSS("#signin-token")),
				chromedp.SendKeys(chromedp.CSS("#signin-token"), token), chromedp.SendKeys(chromedp.CSS("#signin-token"), kb.Enter))
		}
		post(f.tokenUntil(samples.Restricted.ID, time.Now().Add(-time.Hour)))
		b.do("the sign-in page again", chromedp.WaitVisible(chromedp.CSS("#signin-error")))
		if got := text("#signin-error"); got != wire.SignInRefusal(wire.RefusedExpired) {
			t.Fatalf("without the WebAssembly, an expired link says %q", got)
		}
		post("not a sign-in code")
		b.do("the sign-in page again", chromedp.WaitVisible(chromedp.CSS("#signin-error")))
		if got := text("#signin-error"); got != wire.SignInRefusal(wire.RefusedInvalid) {
			t.Fatalf("without the WebAssembly, a bad code says %q", got)
		}
		post(f.token(samples.Restricted.ID))
		// The portal (its prerendered page; no script polls here).
		var loc string
		var err error
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if loc, err = chromedp.Run(b.ctx, chromedp.Location()); err != nil || loc == f.url+"/portal/demo/" {
				break
			}
		}
		if err != nil || loc != f.url+"/portal/demo/" {
			t.Fatalf("after a good form post the browser is at %q (%v)", loc, err)
		}
		// The cookie came with the redirect: with scripts back on, the
		// session names the user.
		b.do("scripts on", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
			return err
		}))
		b.open("/portal/demo/")
		b.waitEq("signed in by the plain form", jsWho, whoName(samples.Restricted))
	})

	for _, wd := range widths {
		t.Run("List"+wd.name, func(t *testing.T) {
			b := f.browser(t, chromedp.EmulateViewport(wd.w, wd.h))
			tok := signInByLink(t, b, f, samples.Unrestricted)
			b.wait("the list", `document.querySelector(".ticket-row")`)
			var all apiList
			f.api("/api/tickets?limit=20", tok, &all)
			b.waitEq("the list", jsRows, all.ids())
			if bad := b.eval(fmt.Sprintf(jsUncut, ".ticket-title, .tickets th, .portal-list")); bad != "" {
				t.Fatalf("cut or overflowing at %s px: %s", wd.name, bad)
			}
			if b.eval(fmt.Sprintf(jsOneLine, ".ticket-row .state, .tickets th")) != "true" {
				t.Fatalf("a status pill or a column header wraps at %s px: %s", wd.name, b.eval(`[...document.querySelectorAll(".ticket-row .state")].map(s => s.textContent + ":" + s.offsetHeight).join(",")`))
			}
			if wd.w < 720 {
				// Cards: no column headers, each ticket one box as wide as
				// the list, its whole title inside.
				if b.eval(`getComputedStyle(document.querySelector(".tickets thead")).display`) != "none" {
					t.Fatal("the column headers show on a narrow screen")
				}
				if bad := b.eval(`[...document.querySelectorAll(".ticket-row")].filter(r => { const c = r.getBoundingClientRect(), t = r.querySelector(".ticket-title").getBoundingClientRect(); return c.width < window.innerWidth * 0.7 || t.width < c.width * 0.5; }).map(r => r.dataset.id).join(",")`); bad != "" {
					t.Fatalf("tickets %s are not cards with room for their titles", bad)
				}
			}
			shots(b, wd.name, "list")
			// A search: the preview under each card, nothing cut.
			word := searchWord(t, all.Tickets[0].Title)
			var found apiList
			f.api("/api/tickets?limit=20&q="+url.QueryEscape(word), tok, &found)
			b.do("searching", chromedp.SendKeys(chromedp.CSS(".portal-search"), word))
			b.waitEq("the results", jsRows, found.ids())
			if bad := b.eval(fmt.Sprintf(jsUncut, ".ticket-title, .tickets th, .col-preview .snippet")); bad != "" {
				t.Fatalf("search results cut at %s px: %s", wd.name, bad)
			}
			if wd.w < 720 {
				if bad := b.eval(`[...document.querySelectorAll(".ticket-row")].filter(r => { const p = r.querySelector(".col-preview"); return p && p.getBoundingClientRect().top < r.querySelector(".ticket-title").getBoundingClientRect().bottom; }).map(r => r.dataset.id).join(",")`); bad != "" {
					t.Fatalf("the preview is not under the title in cards %s", bad)
				}
			}
			shots(b, wd.name, "search")
		})
	}

	t.Run("SignOutOnEveryPage", func(t *testing.T) {
		for _, wd := range widths {
			b := f.browser(t, chromedp.EmulateViewport(wd.w, wd.h))
			tok := signInByLink(t, b, f, samples.Restricted)
			b.wait("the list", `document.querySelector(".ticket-row")`)
			var mine apiList
			f.api("/api/tickets?limit=20", tok, &mine)
			for _, path := range []string{"/portal/demo/help", "/portal/demo/messenger", "/portal/demo/", "/portal/demo/tickets/" + mine.Tickets[0].ID} {
				b.open(path)
				b.waitEq("the name on "+path, jsWho, whoName(samples.Restricted))
				b.waitEq("Sign out on "+path, jsHasSignOut, "true")
			}
			shots(b, wd.name, "ticket")
			b.open("/portal/demo/help")
			b.waitEq("the name", jsWho, whoName(samples.Restricted))
			// The sections come from their own request, after the name.
			b.wait("the Help Center's sections", `document.querySelector("#hc-sections .hc-section")`)
			if txt := b.eval(`document.querySelector("#hc-sections").innerText`); strings.Contains(txt, "Collection") || strings.Contains(txt, "Article list") {
				t.Fatalf("the Help Center shows the admin's kinds of sections:\n%s", txt)
			}
			shots(b, wd.name, "help")
			b.open("/portal/demo/messenger")
			b.waitEq("the name", jsWho, whoName(samples.Restricted))
			shots(b, wd.name, "messenger")
		}
		// A user without access switches account from the no-access page.
		b := f.browser(t, chromedp.EmulateViewport(390, 844))
		signInByLink(t, b, f, samples.NoAccess)
		b.waitEq("the no-access page", `(document.querySelector(".portal-denied h3")||{}).textContent`, "You don't have access to the customer portal")
		b.waitEq("their name", jsWho, whoName(samples.NoAccess))
		b.shot("390-no-access")
		b.click("#sign-out")
		b.wait("the sign-in form", `document.querySelector("#signin-form") && !document.querySelector("#signed-in-as")`)
		if st := b.eval(`(fetch("/portal/demo/session").then(r => { window.__who = r.status; }), "ok")`); st != "ok" {
			t.Fatal(st)
		}
		b.waitEq("signed out on the server", `window.__who`, "401")
		b.signInWithForm(f.token(samples.Restricted.ID), true)
		b.wait("the other account's list", `document.querySelector(".ticket-row")`)
		b.waitEq("the other account", jsWho, whoName(samples.Restricted))
	})

	t.Run("TicketByNumber", func(t *testing.T) {
		b := f.browser(t, chromedp.EmulateViewport(1440, 900))
		tok := signInByLink(t, b, f, samples.Unrestricted)
		var all apiList
		f.api("/api/tickets?limit=20", tok, &all)
		b.waitEq("the list", jsRows, all.ids())
		var detail struct {
			ID          string    `json:"id"`
			TicketID    string    `json:"ticket_id"`
			Title       string    `json:"title"`
			Description string    `json:"description"`
			CreatedBy   string    `json:"created_by"`
			CreatedAt   time.Time `json:"created_at"`
		}
		// The first ticket with a description written by someone.
		for _, tk := range all.Tickets {
			f.api("/api/tickets/"+tk.ID, tok, &detail)
			if detail.Description != "" && detail.CreatedBy != "" {
				break
			}
		}
		if detail.Description == "" || detail.TicketID == "" || detail.TicketID == detail.ID {
			t.Fatalf("no ticket with a description and a number unlike its id: %+v", detail)
		}
		b.click(fmt.Sprintf(`.ticket-row[data-id=%q]`, detail.ID))
		b.waitEq("the ticket's page", `(document.querySelector(".ticket-page h3")||{}).textContent`, detail.Title)
		b.waitEq("its address: the number", `location.pathname`, "/portal/demo/tickets/"+detail.TicketID)
		b.waitEq("who wrote the description", `document.querySelector(".ticket-desc .part-author").textContent`, detail.CreatedBy)
		b.waitEq("when", `document.querySelector(".ticket-desc time").getAttribute("datetime")`, detail.CreatedAt.UTC().Format(time.RFC3339))
		if got := b.eval(`document.querySelector(".ticket-opened").textContent`); !strings.HasPrefix(got, "Opened ") || !strings.HasSuffix(got, " by "+detail.CreatedBy) || !strings.Contains(got, fmt.Sprint(detail.CreatedAt.Year())) {
			t.Fatalf("the opening line reads %q", got)
		}
		if got := b.eval(`document.querySelector(".ticket-updated").textContent`); !strings.HasPrefix(got, "Updated ") {
			t.Fatalf("the update line reads %q", got)
		}
		// An old link by the internal id still opens it, and the address
		// then shows the number.
		b.open("/portal/demo/tickets/" + detail.ID)
		b.waitEq("the ticket by its id", `(document.querySelector(".ticket-page h3")||{}).textContent`, detail.Title)
		b.waitEq("the address by number", `location.pathname`, "/portal/demo/tickets/"+detail.TicketID)
		// The Messenger's tickets are links to their pages.
		b.open("/portal/demo/messenger")
		b.wait("the Messenger's tickets", `document.querySelector(".messenger-ticket, #messenger-empty")`)
		if bad := b.eval(`[...document.querySelectorAll(".messenger-ticket")].filter(a => a.tagName !== "A" || !/\/portal\/demo\/tickets\/[0-9]+$/.test(a.href)).length`); bad != "0" {
			t.Fatalf("%s Messenger tickets are not links to their pages", bad)
		}
	})

	t.Run("ViewInAddress", func(t *testing.T) {
		b := f.browser(t, chromedp.EmulateViewport(1440, 900))
		tok := signInByLink(t, b, f, samples.Unrestricted)
		b.wait("the list", `document.querySelector(".ticket-row")`)
		var mine apiList
		f.api("/api/tickets?tab=mine&limit=20", tok, &mine)
		b.click(`.tab[data-tab="mine"]`)
		b.waitEq("the Created by me list", jsRows, mine.ids())
		b.waitEq("the tab in the address", `location.search`, "?tab=mine")
		var all apiList
		f.api("/api/tickets?tab=all&limit=20", tok, &all)
		b.click(`.tab[data-tab="all"]`)
		b.waitEq("the All list", jsRows, all.ids())
		word := searchWord(t, all.Tickets[0].Title)
		var found apiList
		f.api("/api/tickets?tab=all&limit=20&q="+url.QueryEscape(word), tok, &found)
		b.do("searching", chromedp.SendKeys(chromedp.CSS(".portal-search"), word))
		b.waitEq("the results", jsRows, found.ids())
		b.waitEq("the search in the address", `location.search`, "?"+url.Values{"tab": {"all"}, "q": {word}}.Encode())
		// Reload: the same view.
		b.do("reloading", chromedp.Reload())
		b.wait("the UI to load", `!document.getElementById("app-wasm-loader") && document.querySelector(".customer-site")`)
		b.waitEq("the same results", jsRows, found.ids())
		b.waitEq("the same tab", jsActive, "All")
		b.waitEq("the search box", `document.querySelector(".portal-search").value`, word)
		// A ticket and back: the same view again.
		b.click(".ticket-row")
		b.wait("the ticket's page", `document.querySelector(".ticket-page h3")`)
		b.click(".ticket-page .back")
		b.waitEq("back on the view", `location.pathname + location.search`, "/portal/demo/?"+url.Values{"tab": {"all"}, "q": {word}}.Encode())
		b.waitEq("its results", jsRows, found.ids())
	})

	for _, wd := range widths {
		t.Run("Filters"+wd.name, func(t *testing.T) {
			// Choose a state chip and a sort: the list and the counts are
			// the API's for that query, the address carries them, and a
			// reload shows the same view.
			b := f.browser(t, chromedp.EmulateViewport(wd.w, wd.h))
			tok := signInByLink(t, b, f, samples.Unrestricted)
			b.wait("the filters", `document.querySelector("#filters .chip")`)
			type facetsList struct {
				apiList
				Facets *struct {
					State map[string]int `json:"state"`
				} `json:"facets"`
			}
			check := func(what, query string) {
				t.Helper()
				var want facetsList
				if st := f.api("/api/tickets?limit=20&"+query, tok, &want); st != 200 {
					t.Fatalf("the API for %s: %d", query, st)
				}
				b.waitEq(what+": the list", jsRows, want.ids())
				b.waitEq(what+": the address", `location.search`, "?"+query)
				// The date column is the date the list is sorted by.
				head, dates := "Updated", make([]string, len(want.Tickets))
				for i, tk := range want.Tickets {
					d := tk.UpdatedAt
					if strings.Contains(query, "sort=created") {
						head, d = "Opened", tk.CreatedAt
					}
					dates[i] = d.UTC().Format(time.RFC3339)
				}
				b.waitEq(what+": the date column", `[...document.querySelectorAll(".ticket-row td.col-date time")].map(t => t.dateTime).join(",")`, strings.Join(dates, ","))
				if len(dates) > 0 {
					b.waitEq(what+": the date column's header", `document.querySelector(".tickets th.col-date").textContent`, head)
				}
				if want.Facets != nil {
					for state, n := range want.Facets.State {
						b.waitEq(what+": the count of "+state, fmt.Sprintf(`document.querySelector('.chip[data-value=%q] .chip-count').textContent`, state), fmt.Sprint(n))
					}
				}
			}
			b.click(`.chip[data-param="state"][data-value="resolved"]`)
			check("resolved", "state=resolved")
			b.waitEq("the chip pressed", `document.querySelector('.chip[data-value="resolved"]').getAttribute("aria-pressed")`, "true")
			b.eval(`(() => { const s = document.querySelector("#filter-sort"); s.value = "created:asc"; s.dispatchEvent(new Event("change", {bubbles: true})); return "ok"; })()`)
			check("resolved, oldest first", "order=asc&sort=created&state=resolved")
			if bad := b.eval(fmt.Sprintf(jsUncut, ".ticket-title, .tickets th, .chip")); bad != "" {
				t.Fatalf("cut or overflowing at %s px: %s", wd.name, bad)
			}
			shots(b, wd.name, "filters")
			b.do("reloading", chromedp.Reload())
			b.wait("the UI to load", `!document.getElementById("app-wasm-loader") && document.querySelector("#filters")`)
			check("after a reload", "order=asc&sort=created&state=resolved")
			b.waitEq("the chip still pressed", `document.querySelector('.chip[data-value="resolved"]').getAttribute("aria-pressed")`, "true")
			b.waitEq("the sort still chosen", `document.querySelector("#filter-sort").value`, "created:asc")
			b.click("#clear-filters")
			check("cleared (the order stays)", "order=asc&sort=created")
		})
	}

	// Last: it adds a ticket. A ticket of the user's whose id is the
	// number of another of theirs: the page by that number shows the
	// number's ticket (the API's bare key, the id's).
	t.Run("TicketNumberShadowedById", func(t *testing.T) {
		b := f.browser(t, chromedp.EmulateViewport(1440, 900))
		tok := signInByLink(t, b, f, samples.Unrestricted)
		var all apiList
		f.api("/api/tickets?limit=20", tok, &all)
		if len(all.Tickets) == 0 {
			t.Fatal("the user sees no ticket")
		}
		b.waitEq("the list", jsRows, all.ids()) // signed in and settled before the next page
		orig, err := f.ws.Ticket(context.Background(), all.Tickets[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		shadow := *orig
		shadow.ID, shadow.TicketID, shadow.Title, shadow.Parts = orig.TicketID, "990001", "Shadowing by id", nil
		importRecords(t, f.ws, []portal.Record{{Ticket: &shadow, TicketType: &portal.TicketType{ID: orig.TypeID, Name: orig.TypeName, Category: orig.Category}}})
		var byID struct {
			ID string `json:"id"`
		}
		if st := f.api("/api/tickets/"+orig.TicketID, tok, &byID); st != 200 || byID.ID != shadow.ID {
			t.Fatalf("the API by bare key: %d %q, want the id's %q", st, byID.ID, shadow.ID)
		}
		b.open("/portal/demo/tickets/" + orig.TicketID)
		b.waitEq("the number's ticket", `(document.querySelector(".ticket-page h3")||{}).textContent`, orig.Title)
		b.waitEq("the address unchanged", `location.pathname`, "/portal/demo/tickets/"+orig.TicketID)
		b.open("/portal/demo/tickets/990001")
		b.waitEq("the shadowing ticket by its number", `(document.querySelector(".ticket-page h3")||{}).textContent`, shadow.Title)
	})
}
