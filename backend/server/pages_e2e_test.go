package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"portalstudio/internal/testkit"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"

	"portalstudio/backend/portal"
	"portalstudio/backend/server"
	"portalstudio/backend/studio"
	"portalstudio/internal/teststore"
)

// The customer portal's pages in headless Chromium, against the real
// server (its handler on loopback, the UI built to WebAssembly by the
// test) over a real demo workspace.

const chromium = "/usr/bin/chromium"

// pagesLive is the live settings of the page tests: the portal on for
// users (leads have no access), everyone but company admins restricted to
// their own tickets, the Preview column on, the Help Center live with the
// Customer portal card second, the Messenger's tickets space on.
const pagesLive = `{
  "portal": {"enabled": %v, "url": %q},
  "identity_verification": true,
  "access": {"rule": {"all": [{"attribute": "user.role", "operator": "equals", "value": "user"}]}},
  "visibility": {"restrict_to_own": true, "conditions": {"all": [
    {"attribute": "user.custom.is_admin", "operator": "equals", "value": false}
  ]}},
  "preview_column": true,
  "help_center": {"live": true, "sections": [%s]},
  "messenger": {"tickets_space": %v}
}`

const (
	secGetting = `{"id": "getting-started", "title": "Getting started", "kind": "collection", "visible": true}`
	secPortal  = `{"id": "customer-portal", "title": "Customer portal", "kind": "customer_portal", "visible": true}`
	secHidden  = `{"id": "customer-portal", "title": "Customer portal", "kind": "customer_portal", "visible": false}`
	secPopular = `{"id": "popular-articles", "title": "Popular articles", "kind": "article_list", "visible": true}`
	secContact = `{"id": "contact-us", "title": "Contact us", "kind": "contact", "visible": false}`
)

// portalURL is the live settings' portal URL (the server's base URL is
// known once it listens).
var portalURL string

func livePages(enabled bool, tickets bool, sections ...string) string {
	return fmt.Sprintf(pagesLive, enabled, portalURL, strings.Join(sections, ", "), tickets)
}

// pagesFixture is the server with the UI over a demo workspace.
type pagesFixture struct {
	t      *testing.T
	ws     teststore.Store
	svc    *studio.Service
	url    string
	secret []byte
	alloc  context.Context
}

func newPagesFixture(t *testing.T) *pagesFixture {
	t.Helper()
	needChromium(t)
	t0 := time.Now()
	web := wasmDir(t)
	ctx := context.Background()
	dir := t.TempDir()
	ws := teststore.Open(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	portalURL = base + "/portal/demo/"
	if err := ws.SetServer(ctx, base, "demo"); err != nil {
		t.Fatal(err)
	}
	// The server's address first: the portal URL is made when the demo
	// draft enables the portal, and stays.
	svc := testkit.Service(t, ws)
	if _, err := svc.GenerateDemo(ctx, studio.DemoRequest{Users: 300, Companies: 20, Tickets: 1200}, nil); err != nil {
		t.Fatal(err)
	}
	sec, err := server.PrepareSecrets(ctx, ws, dir, server.SecretOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(server.Config{Store: ws, Audiences: testkit.ServerAudiences(t, ws), IdentitySecret: sec.IdentitySecret, Slug: "demo",
		BaseURL: base, Web: os.DirFS(web)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(s.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)
	f := &pagesFixture{t: t, ws: ws, svc: svc, url: hs.URL, secret: sec.IdentitySecret}
	f.putLive(livePages(true, true, secGetting, secPortal, secPopular, secContact))

	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancel)
	bctx, cancel2 := chromedp.NewContext(alloc)
	t.Cleanup(cancel2)
	if err := chromedp.Do(bctx); err != nil { // start the browser
		t.Fatal(err)
	}
	f.alloc = bctx
	t.Logf("setup: %s", time.Since(t0).Round(time.Millisecond))
	return f
}

func (f *pagesFixture) putLive(doc string) {
	f.t.Helper()
	if _, err := f.ws.PutLive(context.Background(), []byte(doc), portal.AnyVersion); err != nil {
		f.t.Fatal(err)
	}
}

// token signs an identity token for the user with that id.
func (f *pagesFixture) token(userID string) string {
	f.t.Helper()
	u, err := f.ws.UserByID(context.Background(), userID)
	if err != nil {
		f.t.Fatal(err)
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"user_id": u.ExternalID, "exp": time.Now().Add(time.Hour).Unix()}).SignedString(f.secret)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// api asks the portal's JSON API as the token's user.
func (f *pagesFixture) api(path, token string, out any) int {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.url+"/portal/demo"+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == 200 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			f.t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// apiList is what the page must show: the API's list.
type apiList struct {
	Tabs    []string `json:"tabs"`
	Tab     string   `json:"tab"`
	Total   int      `json:"total"`
	Next    string   `json:"next"`
	Tickets []struct {
		ID        string    `json:"id"`
		TicketID  string    `json:"ticket_id"`
		Title     string    `json:"title"`
		CreatedAt time.Time `json:"created_at"`
		UpdatedAt time.Time `json:"updated_at"`
		Preview   *struct {
			Snippet string `json:"snippet"`
			Author  string `json:"author"`
			Ago     string `json:"ago"`
		} `json:"preview"`
	} `json:"tickets"`
}

func (l apiList) ids() string {
	ids := make([]string, len(l.Tickets))
	for i, t := range l.Tickets {
		ids[i] = t.ID
	}
	return strings.Join(ids, ",")
}

// browser is one browser tab in its own browser context (its own
// cookies).
type browser struct {
	t   *testing.T
	f   *pagesFixture
	ctx context.Context
}

func (f *pagesFixture) browser(t *testing.T, setup ...chromedp.Action[chromedp.Void]) *browser {
	t.Helper()
	// Every Content-Security-Policy violation the browser reports fails
	// the test: the policy must let the pages work.
	var mu sync.Mutex
	var violations []string
	ctx, cancel := chromedp.NewContext(f.alloc, chromedp.WithNewBrowserContext(), chromedp.WithListener(func(ev any) {
		if e, ok := ev.(*cdplog.EventEntryAdded); ok && e.Entry != nil && strings.Contains(e.Entry.Text, "Content Security Policy") {
			mu.Lock()
			violations = append(violations, e.Entry.Text)
			mu.Unlock()
		}
	}))
	t.Cleanup(cancel)
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if len(violations) > 0 {
			t.Errorf("the page broke its Content-Security-Policy:\n%s", strings.Join(violations, "\n"))
		}
	})
	ctx, cancel2 := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel2)
	b := &browser{t: t, f: f, ctx: ctx}
	if len(setup) > 0 {
		b.do("setting up the tab", setup...)
	}
	return b
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.fail(what, err)
	}
}

func (b *browser) fail(what string, err error) {
	b.t.Helper()
	body, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`location.href + "\n" + (document.body ? document.body.innerText.slice(0, 1500) : "")`))
	b.t.Fatalf("%s: %v\npage:\n%s", what, err, body)
}

// shot saves a screenshot of the page as name.png in
// PORTALSTUDIO_SHOTS, when that names a folder (to look at the pages).
func (b *browser) shot(name string) {
	b.t.Helper()
	dir := os.Getenv("PORTALSTUDIO_SHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.fail("a screenshot", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// open loads a page of the portal and waits for the WebAssembly to run.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do("opening "+path, chromedp.Navigate(b.f.url+path))
	b.wait("the UI to load", `!document.getElementById("app-wasm-loader") && document.querySelector(".customer-site")`)
}

// wait polls a JS expression until it is truthy and returns it.
func (b *browser) wait(what, expr string) string {
	b.t.Helper()
	v, err := testkit.PollAcrossNavigation(b.ctx, 15*time.Second, func(d time.Duration) (string, error) {
		return chromedp.Run(b.ctx, chromedp.Poll[string](`(() => { const v = (`+expr+`); return v ? String(v) : ""; })()`, chromedp.WithPollingTimeout(d)))
	})
	if err != nil {
		b.fail("waiting for "+what, err)
	}
	return v
}

// waitEq waits until expr equals want.
func (b *browser) waitEq(what, expr, want string) {
	b.t.Helper()
	_, err := testkit.PollAcrossNavigation(b.ctx, 15*time.Second, func(d time.Duration) (bool, error) {
		return chromedp.Run(b.ctx, chromedp.Poll[bool](fmt.Sprintf(`(() => { try { return String(%s) === %q; } catch (e) { return false; } })()`, expr, want), chromedp.WithPollingTimeout(d)))
	})
	if err != nil {
		b.fail(fmt.Sprintf("waiting for %s (%s == %q; it is %q)", what, expr, want, b.eval(expr)), err)
	}
}

func (b *browser) eval(expr string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`String((() => { return `+expr+`; })())`))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

func (b *browser) click(sel string) {
	b.t.Helper()
	b.eval(fmt.Sprintf(`(() => { document.querySelector(%q).click(); return "ok"; })()`, sel))
}

// signInByLink follows a sign-in link (login?token=) as a customer and
// returns the token. The page must name whom the link signs in, drop the
// token from the address at once, and make no session until the customer
// confirms (login CSRF: a link carrying someone else's token must not sign
// the visitor in silently); then it signs in.
func signInByLink(t *testing.T, b *browser, f *pagesFixture, u *portal.UserSummary) string {
	t.Helper()
	tok := f.token(u.ID)
	b.open("/portal/demo/login?token=" + url.QueryEscape(tok))
	who := u.Name
	if who == "" {
		who = u.Email
	}
	b.waitEq("whom the link signs in", `(document.querySelector("#signin-confirm-who")||{}).textContent`, who)
	if p := b.eval(`location.pathname + location.search`); p != "/portal/demo/login" {
		t.Fatalf("while asking to confirm, the address is %s: the token must be gone", p)
	}
	b.eval(`(fetch("/portal/demo/api/tickets").then(r => { window.__beforeConfirm = r.status; }), "ok")`)
	b.waitEq("no session before the customer confirms", `window.__beforeConfirm`, "401")
	b.shot("signin-confirm")
	b.click("#signin-continue")
	return tok
}

// JS expressions reading the page.
const (
	jsTabs   = `[...document.querySelectorAll(".tabs .tab")].map(t => t.textContent).join("|")`
	jsActive = `(document.querySelector(".tabs .tab.active")||{}).textContent`
	jsRows   = `[...document.querySelectorAll(".ticket-row")].map(r => r.dataset.id).join(",")`
	jsTotal  = `(document.querySelector(".portal-total")||{}).textContent`
)

func TestPortalPagesInChromium(t *testing.T) {
	start := time.Now()
	f := newPagesFixture(t)
	samples, err := f.svc.SampleUsers(context.Background(), studio.Live)
	if err != nil {
		t.Fatal(err)
	}
	if samples.Restricted == nil || samples.Unrestricted == nil || samples.NoAccess == nil {
		t.Fatalf("the demo workspace lacks a kind of user: %+v", samples)
	}

	t.Run("UnrestrictedUser", func(t *testing.T) {
		b := f.browser(t)
		// Sign in through the address: the page names whom the link signs
		// in, and the token is exchanged for the session cookie once the
		// customer confirms; it never stays in the address bar.
		tok := signInByLink(t, b, f, samples.Unrestricted)
		b.wait("the list", `document.querySelector(".ticket-row, .portal-empty")`)
		if p := b.eval(`location.pathname + location.search`); p != "/portal/demo/" {
			t.Fatalf("after signing in the address is %s, want /portal/demo/ (no token)", p)
		}
		if c := b.eval(`document.cookie`); strings.Contains(c, "portal_session") {
			t.Fatalf("the session cookie is readable by scripts: %s", c)
		}
		var all apiList
		f.api("/api/tickets?tab=all&limit=20", tok, &all)
		b.waitEq("both tabs", jsTabs, "All|Created by me")
		b.waitEq("the All tab", jsActive, "All")
		b.waitEq("the All list (as the API answers it)", jsRows, all.ids())
		b.waitEq("the total", jsTotal, fmt.Sprintf("%d tickets", all.Total))
		if all.Next != "" {
			var two apiList
			f.api("/api/tickets?tab=all&limit=40", tok, &two)
			b.click(".portal-list .more")
			b.waitEq("the second page", jsRows, two.ids())
		}

		var mine apiList
		f.api("/api/tickets?tab=mine&limit=20", tok, &mine)
		b.click(`.tab[data-tab="mine"]`)
		b.waitEq("the Created by me tab", jsActive, "Created by me")
		b.waitEq("the Created by me list", jsRows, mine.ids())

		// Search the All tab for a word of its newest ticket.
		b.click(`.tab[data-tab="all"]`)
		b.waitEq("the All list again", jsRows, all.ids())
		word := searchWord(t, all.Tickets[0].Title)
		var found apiList
		f.api("/api/tickets?tab=all&limit=20&q="+url.QueryEscape(word), tok, &found)
		if len(found.Tickets) == 0 || found.Tickets[0].Preview == nil {
			t.Fatalf("the API finds nothing with a preview for %q: %+v", word, found)
		}
		b.do("typing the search", chromedp.SendKeys(chromedp.CSS(".portal-search"), word))
		b.waitEq("the results", jsRows, found.ids())
		b.waitEq("the Preview column", `document.querySelectorAll("th.col-preview").length`, "1")
		b.waitEq("the first snippet", `document.querySelector(".ticket-row .col-preview .snippet").innerHTML`, found.Tickets[0].Preview.Snippet)
		if n := b.eval(`document.querySelectorAll(".ticket-row .col-preview mark").length`); n == "0" {
			t.Fatal("no highlighted term in the snippets")
		}
		b.waitEq("author and time", `document.querySelector(".ticket-row .col-preview .meta").textContent`, found.Tickets[0].Preview.Author+" · "+found.Tickets[0].Preview.Ago)

		// A ticket's page: its customer-visible parts and the state's
		// external label.
		var ticket struct {
			Title string `json:"title"`
			State string `json:"state"`
			Parts []any  `json:"parts"`
		}
		f.api("/api/tickets/"+found.Tickets[0].ID, tok, &ticket)
		b.click(".ticket-row")
		b.waitEq("the ticket's page", `(document.querySelector(".ticket-page h3")||{}).textContent`, ticket.Title)
		b.waitEq("its address (the number customers know)", `location.pathname`, "/portal/demo/tickets/"+found.Tickets[0].TicketID)
		b.waitEq("its state's external label", `document.querySelector(".ticket-page .state").textContent`, ticket.State)
		b.waitEq("its parts", `document.querySelectorAll(".ticket-page .part").length`, fmt.Sprint(len(ticket.Parts)))
		b.click(".ticket-page .back")
		b.waitEq("back on the list", `location.pathname`, "/portal/demo/")
		b.wait("the list", `document.querySelector(".ticket-row")`)
	})

	t.Run("RestrictedUser", func(t *testing.T) {
		tok := f.token(samples.Restricted.ID)
		b := f.browser(t)
		// Not signed in: the sign-in form, which posts the token.
		b.open("/portal/demo/")
		b.wait("the sign-in form", `document.querySelector("#signin-form")`)
		b.eval(fmt.Sprintf(`(() => { document.querySelector("#signin-token").value = %q; return "ok"; })()`, tok))
		b.click("#signin-submit")
		b.wait("the list", `document.querySelector(".ticket-row, .portal-empty")`)
		var mine apiList
		f.api("/api/tickets?limit=20", tok, &mine)
		if strings.Join(mine.Tabs, ",") != "mine" {
			t.Fatalf("the API gives the restricted user the tabs %v", mine.Tabs)
		}
		b.waitEq("only Created by me", jsTabs, "Created by me")
		b.waitEq("their own tickets", jsRows, mine.ids())
		// Their company's other tickets stay hidden, also by address.
		if st := f.api("/api/tickets?tab=all", tok, nil); st != http.StatusForbidden {
			t.Fatalf("tab=all for a restricted user: %d, want 403", st)
		}
	})

	t.Run("NoAccess", func(t *testing.T) {
		b := f.browser(t)
		signInByLink(t, b, f, samples.NoAccess)
		b.waitEq("the no-access page", `(document.querySelector(".portal-denied h3")||{}).textContent`, "You don't have access to the customer portal")
		if n := b.eval(`document.querySelectorAll(".ticket-row, .tabs").length`); n != "0" {
			t.Fatalf("the no-access page shows %s tickets or tabs", n)
		}
	})

	t.Run("HelpCenter", func(t *testing.T) {
		b := f.browser(t)
		jsSections := `[...document.querySelectorAll(".hc-section")].map(s => s.dataset.id).join(",")`
		b.open("/portal/demo/help")
		b.waitEq("the sections in their saved order, visible ones only", jsSections, "getting-started,customer-portal,popular-articles")
		b.waitEq("the card links to the portal", `document.querySelector("#hc-portal-card").href`, f.url+"/portal/demo/")

		f.putLive(livePages(true, true, secPopular, secGetting, secHidden))
		b.open("/portal/demo/help")
		b.waitEq("the new order, the card hidden", jsSections, "popular-articles,getting-started")

		f.putLive(livePages(false, true, secPortal, secPopular, secGetting))
		b.open("/portal/demo/help")
		b.waitEq("no card while the portal is off", jsSections, "popular-articles,getting-started")

		f.putLive(livePages(true, true, secPortal, secPopular, secGetting))
		b.open("/portal/demo/help")
		b.waitEq("the card first", jsSections, "customer-portal,popular-articles,getting-started")
		b.click("#hc-portal-card")
		b.wait("the portal (sign-in form)", `location.pathname === "/portal/demo/" && document.querySelector("#signin-form")`)
	})

	t.Run("Messenger", func(t *testing.T) {
		b := f.browser(t)
		b.open("/portal/demo/messenger")
		b.waitEq("the banner", `(document.querySelector("#messenger-portal-banner")||{}).href`, f.url+"/portal/demo/")
		b.wait("a visitor is asked to sign in", `document.querySelector("#messenger-sign-in")`)

		// Signed in, a restricted user sees their own tickets, as the API
		// gives them (the server's tests check those against an oracle).
		tok := signInByLink(t, b, f, samples.Restricted)
		b.wait("the list", `document.querySelector(".ticket-row, .portal-empty")`)
		var own apiList
		if st := f.api("/api/messenger", tok, &own); st != http.StatusOK || len(own.Tickets) == 0 {
			t.Fatalf("the Messenger API for the restricted user: %d, %d tickets; the test wants some", st, len(own.Tickets))
		}
		b.open("/portal/demo/messenger")
		b.waitEq("their own tickets", `[...document.querySelectorAll(".messenger-ticket")].map(r => r.dataset.id).join(",")`, own.ids())
		b.waitEq("no sign-in hint", `document.querySelectorAll("#messenger-sign-in").length`, "0")
		b.shot("messenger")

		f.putLive(livePages(false, true, secGetting, secPortal))
		b.open("/portal/demo/messenger")
		b.wait("the tickets space", `document.querySelector("#messenger-tickets")`)
		b.waitEq("no banner while the portal is off", `document.querySelectorAll("#messenger-portal-banner").length`, "0")

		f.putLive(livePages(true, false, secGetting, secPortal))
		b.open("/portal/demo/messenger")
		b.wait("the tickets space off", `document.querySelector("#messenger-off")`)
		b.waitEq("no banner", `document.querySelectorAll("#messenger-portal-banner").length`, "0")
		f.putLive(livePages(true, true, secGetting, secPortal, secPopular))
	})

	t.Run("MobileNotice", func(t *testing.T) {
		const shown = `getComputedStyle(document.querySelector("#mobile-notice")).display !== "none"`
		desktop := f.browser(t)
		desktop.open("/portal/demo/")
		desktop.wait("the sign-in form", `document.querySelector("#signin-form")`)
		if desktop.eval(shown) != "false" {
			t.Fatal("the mobile notice shows on a desktop browser")
		}
		const iPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
		phone := f.browser(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: iPhone})
			return err
		}))
		phone.open("/portal/demo/")
		phone.waitEq("the notice on a phone (user agent, wide window)", shown, "true")
		if txt := phone.eval(`document.querySelector("#mobile-notice").textContent`); !strings.Contains(txt, "not supported on mobile devices yet") {
			t.Fatalf("notice %q", txt)
		}
		narrow := f.browser(t, chromedp.EmulateViewport(400, 800))
		narrow.do("opening the portal", chromedp.Navigate(f.url+"/portal/demo/"))
		narrow.waitEq("the notice on a narrow screen, before the WebAssembly runs too", shown, "true")
	})
	t.Logf("the pages test took %s", time.Since(start).Round(time.Millisecond))
}

// searchWord picks a word of a title to search for.
func searchWord(t *testing.T, title string) string {
	t.Helper()
	for _, w := range strings.Fields(title) {
		w = strings.Trim(w, ".,:;!?()\"'")
		if len(w) >= 5 {
			return strings.ToLower(w)
		}
	}
	t.Fatalf("no word to search for in %q", title)
	return ""
}

// needChromium fails the test, never skips it, when Chromium is missing.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(chromium); err != nil {
		t.Fatalf("%s is missing: run scripts/deps.sh (it installs chromium and what the UI tests need)", chromium)
	}
}

var (
	wasmOnce sync.Once
	wasmPath string
	wasmErr  error
	wasmOut  []byte
)

// wasmDir builds the UI to WebAssembly once per test binary into a
// temporary folder, so the test always runs the current UI.
func wasmDir(t *testing.T) string {
	t.Helper()
	wasmOnce.Do(func() {
		wasmPath, wasmErr = os.MkdirTemp("", "portalstudio-web-")
		if wasmErr != nil {
			return
		}
		_, file, _, _ := runtime.Caller(0)
		cmd := exec.Command("go", "build", "-ldflags=-s -w", "-o", filepath.Join(wasmPath, "app.wasm"), "./frontend/cmd/wasm")
		cmd.Dir = filepath.Join(filepath.Dir(file), "..", "..")
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		wasmOut, wasmErr = cmd.CombinedOutput()
	})
	if wasmErr != nil {
		t.Fatalf("building the UI (GOOS=js GOARCH=wasm go build ./frontend/cmd/wasm): %v\n%s", wasmErr, wasmOut)
	}
	return wasmPath
}
