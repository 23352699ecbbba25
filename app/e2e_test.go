package app_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portalstudio/app"
	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
	"portalstudio/backend/studio"
	"portalstudio/backend/wire"
	"portalstudio/internal/testkit"
)

const chromium = "/usr/bin/chromium"

// ui is the real browser mode (handler, HTTP transport, bindings, a real
// demo workspace) driven by headless Chromium.
type ui struct {
	t    *testing.T
	ctx  context.Context
	url  string // with the secret
	base string
	svc  *studio.Service
	b    *app.Bindings

	mu      sync.Mutex
	console []chromedp.ConsoleMessage // what the page wrote to the console
}

func newUI(t *testing.T, users int) *ui {
	t.Helper()
	return newUIWith(t, users, nil)
}

// newUIWith is newUI with the studio's HTTP handler wrapped by wrap (nil:
// as it is).
func newUIWith(t *testing.T, users int, wrap func(http.Handler) http.Handler) *ui {
	t.Helper()
	needTool(t, chromium)
	web := webDir(t)
	svc, b := newWorkspace(t, users)
	s, srv := serveBrowserWith(t, b, os.DirFS(web), wrap)
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
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
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	u := &ui{t: t, ctx: ctx, url: srv.URL + "/?s=" + s.Secret, base: srv.URL, svc: svc, b: b}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			u.mu.Lock()
			u.console = append(u.console, m)
			u.mu.Unlock()
		}
	}()
	return u
}

// cspViolations returns the console's reports of what the
// Content-Security-Policy blocked.
func (u *ui) cspViolations() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	var out []string
	for _, m := range u.console {
		if strings.Contains(m.Text, "Content Security Policy") || strings.Contains(m.Text, "Content-Security-Policy") {
			out = append(out, m.String())
		}
	}
	return out
}

func (u *ui) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	if err := chromedp.Do(u.ctx, steps...); err != nil {
		u.fail(what, err)
	}
}

func (u *ui) fail(what string, err error) {
	u.t.Helper()
	body, _ := chromedp.Run(u.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 1500) : ""`))
	u.t.Fatalf("%s: %v\npage text:\n%s", what, err, body)
}

// wait polls a JS expression until it is truthy and returns its value.
func (u *ui) wait(what, expr string) string {
	u.t.Helper()
	v, err := testkit.PollAcrossNavigation(u.ctx, 20*time.Second, func(d time.Duration) (string, error) {
		return chromedp.Run(u.ctx, chromedp.Poll[string](`(() => { const v = (`+expr+`); return v ? String(v) : ""; })()`, chromedp.WithPollingTimeout(d)))
	})
	if err != nil {
		u.fail("waiting for "+what, err)
	}
	return v
}

func (u *ui) eval(expr string) string {
	u.t.Helper()
	v, err := chromedp.Run(u.ctx, chromedp.Evaluate[string](`String((() => { return `+expr+`; })())`))
	if err != nil {
		u.fail("evaluating "+expr, err)
	}
	return v
}

// set sets a form control's value and fires the event go-app listens to.
func (u *ui) set(sel, value, event string) {
	u.t.Helper()
	u.eval(fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %q; el.dispatchEvent(new Event(%q, {bubbles: true})); return "ok"; })()`, sel, value, event))
}

func (u *ui) click(sel string) {
	u.t.Helper()
	u.eval(fmt.Sprintf(`(() => { document.querySelector(%q).click(); return "ok"; })()`, sel))
}

// open loads the UI and waits until the WebAssembly runs and the counts
// are on screen.
func (u *ui) open() {
	u.t.Helper()
	u.do("navigate", chromedp.Navigate(u.url))
	u.wait("the UI", `!document.getElementById("app-wasm-loader") && document.querySelector("#access-count") && document.querySelector("#restricted-count")`)
	if tr := u.eval(`document.body.dataset.transport`); tr != "http" {
		u.t.Fatalf("transport %q, want http in browser mode", tr)
	}
}

// draftHas reads the saved draft until ok holds of it and returns it; it
// fails the test, naming what it waited for, when ok does not hold within
// the polling time of wait. saved() alone can see the pill of the save
// before a click, when the click's own save has not started yet: a test
// that then reads the draft reads it through draftHas.
func (u *ui) draftHas(what string, ok func(*portal.Settings) bool) *portal.Settings {
	u.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := u.svc.Settings(u.ctx, studio.Draft)
		if err == nil && ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			if err != nil {
				u.t.Fatalf("%s: reading the draft: %v", what, err)
			}
			u.t.Fatalf("waited for %s: the saved draft never showed it", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// saved waits until every change is saved to the draft and recounted.
func (u *ui) saved() {
	u.t.Helper()
	u.wait("the draft saved", `(document.querySelector("#save-state")||{}).textContent === "✓ Saved to draft" && !document.querySelector(".audience.busy")`)
}

func TestUIEndToEnd(t *testing.T) {
	t.Setenv(remote.NoKeyringEnv, "1")
	u := newUI(t, 300)
	u.open()

	t.Run("EditAccessRuleChangesCount", func(t *testing.T) {
		u.t = t
		before := u.eval(`document.querySelector("#access-count").textContent`)
		if before != "300" {
			t.Fatalf("access count %s, want 300 (everyone)", before)
		}
		u.click("#access-add")
		u.wait("attribute picker", `document.querySelector("#access-add-attr")`)
		u.set("#access-add-attr", "user.email", "change")
		u.wait("the new condition", `document.querySelector("#access-builder .condition .cond-op")`)
		u.set("#access-builder .condition .cond-op", "contains", "change")
		u.wait("operator", `document.querySelector("#access-builder .condition .cond-op").value === "contains"`)
		// Real typing, key by key: nothing typed may be lost to the
		// debounced saves and recounts.
		u.do("typing", chromedp.SendKeys(chromedp.CSS("#access-builder .condition .cond-value"), "examply.com"))
		u.saved()
		want, err := u.b.Audience(wire.AudienceRequest{Of: "access", Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if want.Count == 0 || want.Count == 300 {
			st, _ := u.svc.Settings(context.Background(), "draft")
			t.Fatalf("the demo should have some examply.com users, got %d (draft rule: %s; input: %q)", want.Count, st.Access.Rule, u.eval(`document.querySelector("#access-builder .condition .cond-value").value`))
		}
		got := u.wait("the new count", fmt.Sprintf(`document.querySelector("#access-count").textContent === %q && document.querySelector("#access-count").textContent`, fmt.Sprint(want.Count)))
		if typed := u.eval(`document.querySelector("#access-builder .condition .cond-value").value`); typed != "examply.com" {
			t.Errorf("the input holds %q, want examply.com", typed)
		}
		st, _ := u.svc.Settings(context.Background(), "draft")
		if !strings.Contains(st.Access.Rule.String(), `user.email contains "examply.com"`) {
			t.Errorf("draft rule %s", st.Access.Rule)
		}
		t.Logf("access count 300 → %s", got)
	})

	t.Run("VisibilityOffGivesAllTab", func(t *testing.T) {
		u.t = t
		samples, err := u.b.SampleUsers("draft")
		if err != nil || samples.Restricted == nil {
			t.Fatalf("no restricted user: %v", err)
		}
		// Restricted under the draft: only "Created by me".
		u.click("#nav-preview")
		u.wait("the picker", `document.querySelector("#pane-0 .user-search-input")`)
		u.do("search user", chromedp.SendKeys(chromedp.CSS("#pane-0 .user-search-input"), samples.Restricted.Email))
		u.wait("search result", `document.querySelector("#pane-0 .found-user")`)
		u.click("#pane-0 .found-user")
		tabs := `Array.from(document.querySelectorAll("#pane-0 .tab")).map(t => t.dataset.tab).join(",")`
		u.wait("restricted tabs", fmt.Sprintf(`document.querySelector("#pane-0 .who-email") && document.querySelector("#pane-0 .who-email").textContent === %q && !document.querySelector("#pane-0 .portal-frame.busy") && %s === "mine"`, samples.Restricted.Email, tabs))
		// Turn ticket visibility off: the same user gets the All tab.
		u.click("#nav-settings")
		u.wait("settings", `document.querySelector("#visibility-toggle")`)
		u.click("#visibility-toggle")
		u.saved()
		u.wait("nobody restricted", `document.querySelector("#restricted-count").textContent === "0"`)
		u.wait("conditions kept, inactive", `document.querySelector("#visibility-inactive") && document.querySelector("#visibility-builder.inactive .condition")`)
		u.click("#nav-preview")
		u.wait("unrestricted tabs", fmt.Sprintf(`!document.querySelector("#pane-0 .portal-frame.busy") && %s === "all,mine"`, tabs))
		// And back on: the conditions apply again and the All tab goes.
		u.click("#nav-settings")
		u.wait("settings", `document.querySelector("#visibility-toggle")`)
		u.click("#visibility-toggle")
		u.saved()
		u.click("#nav-preview")
		u.wait("restricted again", fmt.Sprintf(`!document.querySelector("#pane-0 .portal-frame.busy") && %s === "mine"`, tabs))
	})

	t.Run("SearchHighlightsSnippets", func(t *testing.T) {
		u.t = t
		samples, _ := u.b.SampleUsers("draft")
		page, err := u.b.Preview(wire.PreviewRequest{User: samples.Unrestricted.ID, Limit: 5})
		if err != nil || len(page.Tickets) == 0 {
			t.Fatalf("preview: %v", err)
		}
		word := ""
		for _, w := range strings.Fields(page.Tickets[0].Title) {
			if len(w) > 4 && strings.Trim(w, ".,:;!?()") == w {
				word = w
				break
			}
		}
		if word == "" {
			t.Fatalf("no word to search in %q", page.Tickets[0].Title)
		}
		// The right pane opened on the unrestricted sample.
		u.wait("unrestricted user", fmt.Sprintf(`document.querySelector("#pane-1 .who-email") && document.querySelector("#pane-1 .who-email").textContent === %q && document.querySelector("#pane-1 .portal-search") && !document.querySelector("#pane-1 .portal-frame.busy")`, samples.Unrestricted.Email))
		u.do("search", chromedp.SendKeys(chromedp.CSS("#pane-1 .portal-search"), word))
		mark := u.wait("highlighted snippet", `document.querySelector("#pane-1 .col-preview .snippet mark") && document.querySelector("#pane-1 .col-preview .snippet mark").textContent`)
		if !strings.EqualFold(mark, word) && !strings.HasPrefix(strings.ToLower(mark), strings.ToLower(word)) {
			t.Errorf("highlighted %q, searched %q", mark, word)
		}
		if n := u.eval(`document.querySelectorAll("#pane-1 .ticket-row").length`); n == "0" {
			t.Error("no results")
		}
		// A ticket's page: its conversation, never notes.
		u.click("#pane-1 .ticket-row")
		u.wait("ticket page", `document.querySelector("#pane-1 .ticket-page h3")`)
	})

	t.Run("ReorderHelpCenterSections", func(t *testing.T) {
		u.t = t
		u.click("#nav-settings")
		u.wait("sections", `document.querySelectorAll("#sections .section-row").length >= 3`)
		order := `Array.from(document.querySelectorAll("#sections .section-row")).map(r => r.dataset.id).join(",")`
		before := strings.Split(u.eval(order), ",")
		// With the button.
		u.click("#sections .section-row:nth-child(1) .move-down")
		want := append([]string{before[1], before[0]}, before[2:]...)
		u.wait("moved down", fmt.Sprintf(`%s === %q`, order, strings.Join(want, ",")))
		u.saved()
		// With drag and drop: the last section dropped on the first.
		u.eval(`(() => {
			const rows = document.querySelectorAll("#sections .section-row");
			const dt = new DataTransfer();
			rows[rows.length - 1].dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
			rows[0].dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
			rows[0].dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
			return "ok";
		})()`)
		want = append([]string{want[len(want)-1]}, want[:len(want)-1]...)
		u.wait("dropped", fmt.Sprintf(`%s === %q`, order, strings.Join(want, ",")))
		u.saved()
		u.draftHas(fmt.Sprintf("draft sections %v", want), func(st *portal.Settings) bool {
			var got []string
			for _, s := range st.HelpCenter.Sections {
				got = append(got, s.ID)
			}
			return strings.Join(got, ",") == strings.Join(want, ",")
		})
	})

	t.Run("DraftDiff", func(t *testing.T) {
		u.t = t
		u.wait("diff marker", `document.querySelector("#draft-marker") && document.querySelector("#draft-marker").textContent.startsWith("Draft differs from live")`)
		u.click("#view-diff")
		added := u.wait("diff view", `document.querySelector("#diff-view .diff-add") && Array.from(document.querySelectorAll("#diff-view .diff-add")).map(l => l.textContent).join("")`)
		d, _ := u.b.Diff()
		if !strings.Contains(added, `"operator": "contains"`) || !strings.Contains(d.Unified, strings.TrimSpace(strings.SplitN(added, "\n", 2)[0])) {
			t.Errorf("diff view shows %q; the backend's diff is\n%s", added, d.Unified)
		}
	})

	t.Run("EnableRefusedNamesPrerequisites", func(t *testing.T) {
		u.t = t
		u.click("#portal-enabled")
		u.saved()
		u.click("#identity-verification")
		u.saved()
		u.click("#portal-enabled")
		msg := u.wait("refusal", `document.querySelector("#portal-error") && document.querySelector("#portal-error").textContent`)
		if !strings.Contains(msg, "End users are not authenticated") {
			t.Errorf("refusal %q does not name the missing identity verification", msg)
		}
		u.wait("toggle back off", `!document.querySelector("#portal-enabled").checked`)
	})

	// The attack of issue 15: a page served from another port of
	// 127.0.0.1 (same-site, so the browser sends the studio's SameSite
	// cookie along) posts text/plain, which needs no CORS preflight, to
	// the studio's API. Nothing may change.
	t.Run("CrossSitePageCannotCall", func(t *testing.T) {
		u.t = t
		before := draftOf(t, u.b)
		evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><title>cute cats</title><body><script>
(async () => {
  const calls = [
    ["AddCheck", '["at most 50%% of users are restricted"]'],
    ["ApplySettings", '[{"portal": {"enabled": false}, "access": {"rule": {"all": [{"attribute": "user.email", "operator": "equals", "value": "attacker@evil.example"}]}}}]'],
  ];
  const out = [];
  for (const [m, body] of calls) {
    for (const mode of ["no-cors", "cors"]) {
      try {
        const r = await fetch(%q + "/api/" + m, {method: "POST", mode, credentials: "include", headers: {"Content-Type": "text/plain"}, body});
        out.push(m + " " + mode + " " + r.type + " " + r.status);
      } catch (e) {
        out.push(m + " " + mode + " failed");
      }
    }
  }
  document.body.dataset.done = out.join("; ");
})();
</script>`, u.base)
		}))
		defer evil.Close()
		if !strings.HasPrefix(evil.URL, "http://127.0.0.1:") {
			t.Fatalf("the attacker's page is at %s, want another port of 127.0.0.1", evil.URL)
		}
		tab, cancel := chromedp.NewContext(u.ctx) // a new tab, same cookies
		defer cancel()
		if err := chromedp.Do(tab, chromedp.Navigate(evil.URL)); err != nil {
			t.Fatal(err)
		}
		done, err := chromedp.Run(tab, chromedp.Poll[string](`document.body && document.body.dataset.done`, chromedp.WithPollingTimeout(20*time.Second)))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("the attacker's page: %s", done)
		if after := draftOf(t, u.b); after != before {
			t.Errorf("a page on %s changed the draft or the portal tests:\nbefore %s\nafter  %s", evil.URL, before, after)
		}
	})

	t.Run("RefusedWithoutSecret", func(t *testing.T) {
		u.t = t
		for _, p := range []string{"/", "/web/app.wasm", "/api/Overview"} {
			resp, err := http.Post(u.base+p, "application/json", strings.NewReader("[]"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s without the secret: %d, want 403", p, resp.StatusCode)
			}
		}
	})

	// Connect to a real portal server, then "Go live": the
	// server's settings differ where the draft's do, so the card shows the
	// three-way difference and the conflicts. The demo draft names an
	// attribute the server's dataset lacks, so "Keep my draft" is refused
	// by the server (a sentence, the conflicts stay) and "Take the
	// server's" pushes.
	t.Run("SyncConflictTakeLive", func(t *testing.T) {
		u.t = t
		srv := newSyncServer(t)
		u.wait("the sync card", `document.querySelector("#sync-connect-btn")`)
		u.set("#sync-server", srv.url, "input")
		u.set("#sync-token", srv.token, "input")
		u.click("#sync-connect-btn")
		u.wait("connected", `document.querySelector("#sync-server-line") && document.querySelector("#sync-done") && document.querySelector("#sync-done").textContent.startsWith("Pulled the live settings, version 1")`)
		u.saved()
		u.wait("the go-live card connected", `document.querySelector("#go-live") && !document.querySelector("#go-live").disabled`)
		u.click("#go-live")
		u.wait("the conflicts", `document.querySelector("#sync-conflicts li") && document.querySelector("#sync-live-diff .diff-add") && document.querySelector("#sync-draft-diff .diff-add")`)
		if srv.live(t).Version != 1 {
			t.Fatal("a conflicting push changed the server")
		}
		// What each side changed reads in sentences, as the merge says
		// them (the same refused push, asked of the binding: it changes
		// nothing), and each conflict names its place and says both
		// sides in words.
		again, err := u.b.SyncPush("", false)
		if err != nil || again.Result == nil || again.Result.Merge == nil || len(again.Result.Merge.LiveSummary) == 0 || len(again.Result.Merge.DraftSummary) == 0 {
			t.Fatalf("the refused push's merge has no summaries: %v %+v", err, again)
		}
		for id, want := range map[string][]string{"#sync-live-summary": again.Result.Merge.LiveSummary, "#sync-draft-summary": again.Result.Merge.DraftSummary} {
			got := u.eval(`Array.from(document.querySelectorAll("` + id + ` .change")).map(e => e.innerText).join("\n")`)
			if got != strings.Join(want, "\n") {
				t.Errorf("%s shows\n%s\nwant the merge's sentences\n%s", id, got, strings.Join(want, "\n"))
			}
		}
		rows := u.eval(`Array.from(document.querySelectorAll("#sync-conflicts li")).map(e => e.innerText).join("\n")`)
		t.Logf("the server's changes: %q; the draft's: %q; the conflicts:\n%s", again.Result.Merge.LiveSummary, again.Result.Merge.DraftSummary, rows)
		for _, line := range strings.Split(rows, "\n") {
			if !strings.Contains(line, ": the server has ") || !strings.Contains(line, "; your draft has ") || strings.Contains(line, "\"attribute\"") {
				t.Errorf("a conflict does not read in words: %q", line)
			}
		}
		if srv.live(t).Version != 1 {
			t.Fatal("the refused push asked again changed the server")
		}
		if dir := os.Getenv("PORTALSTUDIO_SCREENSHOTS"); dir != "" {
			png, err := chromedp.Run(u.ctx, chromedp.Screenshot(chromedp.CSS("#sync-card")))
			if err != nil {
				u.fail("screenshot", err)
			}
			if err := os.WriteFile(filepath.Join(dir, "sync-conflict.png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		u.click("#sync-keep-draft")
		refusal := u.wait("the server's refusal", `document.querySelector("#sync-card .error:not(#sync-conflict)") && document.querySelector("#sync-card .error:not(#sync-conflict)").textContent`)
		if !strings.Contains(refusal, "The server refused the settings") || !strings.HasSuffix(refusal, ".") {
			t.Errorf("refusal %q", refusal)
		}
		u.wait("the conflicts still shown", `document.querySelector("#sync-take-live") && !document.querySelector("#sync-take-live").disabled`)
		u.click("#sync-take-live")
		done := u.wait("pushed", `document.querySelector("#sync-done") && document.querySelector("#sync-done").textContent.includes("now version 2") && document.querySelector("#sync-done").textContent`)
		if live := srv.live(t); live.Version != 2 {
			t.Fatalf("the server's live version is %d after %q", live.Version, done)
		}
		u.wait("the live version", `document.querySelector("#sync-server-line").textContent.includes("version 2")`)
		if st, _ := u.b.SyncStatus(); !st.Connected || st.LiveVersion != 2 {
			t.Errorf("sync status after the push: %+v", st)
		}
	})

	// The page runs under browser mode's Content-Security-Policy: after
	// everything above, the console reports nothing it blocked.
	t.Run("NoContentSecurityPolicyViolations", func(t *testing.T) {
		if v := u.cspViolations(); len(v) > 0 {
			t.Errorf("the Content-Security-Policy blocked parts of the UI:\n%s", strings.Join(v, "\n"))
		}
	})
}

// draftOf is the draft and the portal tests, as JSON.
func draftOf(t *testing.T, b *app.Bindings) string {
	t.Helper()
	st, err := b.Settings("draft")
	if err != nil {
		t.Fatal(err)
	}
	checks, err := b.Checks()
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal([]any{st, checks})
	return string(out)
}

// BenchmarkColdStart measures browser mode from navigation to an
// interactive settings page (the WebAssembly running, both audience counts
// on screen) on a 2,000-user demo workspace, each run in a fresh browser
// context (nothing cached). make bench-ui runs it.
func BenchmarkColdStart(b *testing.B) {
	needTool(b, chromium)
	web := webDir(b)
	_, bindings := newWorkspace(b, 2000)
	// app.wasm.gz as make build writes it, so that a new server (one per
	// run: its address works once) has nothing to compress.
	wasm, err := os.ReadFile(filepath.Join(web, "app.wasm"))
	if err != nil {
		b.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(wasm)
	zw.Close()
	webGz := b.TempDir()
	os.WriteFile(filepath.Join(webGz, "app.wasm"), wasm, 0o600)
	os.WriteFile(filepath.Join(webGz, "app.wasm.gz"), gz.Bytes(), 0o600)
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(b.TempDir()))
	defer cancel()
	browser, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	if err := chromedp.Do(browser); err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, srv := serveBrowser(b, bindings, os.DirFS(webGz))
		b.StartTimer()
		ctx, cancelT := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
		start := time.Now()
		err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/?s="+s.Secret),
			chromedp.Poll[chromedp.Void](`!document.getElementById("app-wasm-loader") && document.querySelector("#access-count") && document.querySelector("#restricted-count")`, chromedp.WithPollingTimeout(30*time.Second)),
		)
		total += time.Since(start)
		cancelT()
		srv.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/coldstart")
}
