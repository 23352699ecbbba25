package app_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
	"portalstudio/backend/wire"
)

// TestUIStudioPaths drives, in headless Chromium over browser mode on a
// demo workspace, the value suggestions, the impact list's pages and a
// row opened in Preview, the go-live path without a server, the in-page
// confirmation of demo regeneration, and checks that the whole session,
// intermediate invalid edits included, writes no error to the console.
func TestUIStudioPaths(t *testing.T) {
	t.Setenv(remote.NoKeyringEnv, "1")
	u := newUI(t, 300)
	u.open()

	// Plan: typing the start of a plan lists the workspace's plans that
	// begin so, each with how many companies hold it (as the binding
	// counts them); ↓ and Enter pick the first, which the draft's rule
	// then holds, and the count follows.
	var picked string
	t.Run("ValueSuggestionPicked", func(t *testing.T) {
		u.t = t
		all, err := u.b.AttributeValues("company.plan", "", 8)
		if err != nil || len(all) == 0 {
			t.Fatalf("the demo has no plans to suggest: %v %v", all, err)
		}
		typed := strings.ToLower(all[0].Value[:2])
		want, err := u.b.AttributeValues("company.plan", typed, 8)
		if err != nil || len(want) == 0 {
			t.Fatalf("values for %q: %v %v", typed, want, err)
		}
		u.click("#access-add")
		u.wait("attribute picker", `document.querySelector("#access-add-attr")`)
		u.set("#access-add-attr", "company.plan", "change")
		box := `#access-builder .condition[data-attribute="company.plan"] input.cond-value`
		u.wait("the plan condition", `document.querySelector('`+box+`')`)
		u.do("type", chromedp.SendKeys(chromedp.CSS(box), typed))
		shown := u.wait("the suggestions", fmt.Sprintf(`document.querySelectorAll("#access-builder .value-option").length === %d && Array.from(document.querySelectorAll("#access-builder .value-option")).map(o => o.querySelector(".value-text").textContent + "=" + o.querySelector(".value-count").textContent).join(";")`, len(want)))
		var exp []string
		for _, v := range want {
			exp = append(exp, fmt.Sprintf("%s=%s companies", v.Value, portal.Thousands(v.Count)))
		}
		if shown != strings.Join(exp, ";") {
			t.Errorf("suggestions %q, want %q", shown, strings.Join(exp, ";"))
		}
		if dir := os.Getenv("PORTALSTUDIO_SCREENSHOTS"); dir != "" {
			png, err := chromedp.Run(u.ctx, chromedp.CaptureScreenshot())
			if err != nil {
				u.fail("screenshot", err)
			}
			if err := os.WriteFile(filepath.Join(dir, "suggestions.png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		u.do("↓", chromedp.KeyEvent(kb.ArrowDown))
		u.wait("the first highlighted", `document.querySelector("#access-builder .value-option.active") === document.querySelector("#access-builder .value-option")`)
		if got, id := u.eval(`document.querySelector('`+box+`').getAttribute("aria-activedescendant")`), u.eval(`document.querySelector("#access-builder .value-option").id`); got != id {
			t.Errorf("aria-activedescendant %q, want %q", got, id)
		}
		u.do("Enter", chromedp.KeyEvent(kb.Enter))
		picked = want[0].Value
		u.wait("the value picked", fmt.Sprintf(`document.querySelector('%s').value === %q && !document.querySelector("#access-builder .value-option")`, box, picked))
		u.saved()
		u.draftHas(fmt.Sprintf("draft rule holding company.plan equals %q", picked), func(st *portal.Settings) bool {
			return strings.Contains(st.Access.Rule.String(), fmt.Sprintf(`company.plan equals %q`, picked))
		})
		aud, err := u.b.Audience(wire.AudienceRequest{Of: "access", Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		u.wait("the count of the picked plan", fmt.Sprintf(`document.querySelector("#access-count").textContent === %q`, portal.Thousands(aud.Count)))
	})

	// A boolean is a switch; a number being typed ("-") is an intermediate
	// invalid edit: its problem shows, nothing errs in the console.
	t.Run("TypedInputs", func(t *testing.T) {
		u.t = t
		sw := `#visibility-builder .condition[data-attribute="user.custom.is_admin"] input.cond-switch`
		u.wait("the is_admin switch", `document.querySelector('`+sw+`') && document.querySelector('`+sw+`').checked === false`)
		u.click(sw)
		u.saved()
		u.draftHas("visibility after the switch holding user.custom.is_admin equals true", func(st *portal.Settings) bool {
			return strings.Contains(st.Visibility.Conditions.String(), "user.custom.is_admin equals true")
		})
		u.click(sw)
		u.saved()
		u.click("#access-add")
		u.wait("attribute picker", `document.querySelector("#access-add-attr")`)
		u.set("#access-add-attr", "company.size", "change")
		num := `#access-builder .condition[data-attribute="company.size"] input.cond-value`
		u.wait("the size condition", `document.querySelector('`+num+`') && document.querySelector('`+num+`').type === "number"`)
		u.do("type -", chromedp.SendKeys(chromedp.CSS(num), "-"))
		// A lone "-" is no number yet: the row waits for its value
		// (a neutral hint, no red error, nothing saved).
		u.wait("its hint", `document.querySelector('#access-builder .condition[data-attribute="company.size"].waiting .cond-waiting')`)
		u.click(`#access-builder .condition[data-attribute="company.size"] .cond-remove`)
		u.saved()
	})

	// The impact list pages through the group's users in the app, as the
	// binding lists them, and a row opens that user in Preview.
	t.Run("ImpactPagedAndOpened", func(t *testing.T) {
		u.t = t
		u.saved()
		// The first group of more than one page.
		group, grp := "", (*wire.ImpactGroup)(nil)
		for _, g := range portal.ImpactGroups {
			im, err := u.b.Impact(wire.ImpactRequest{Group: g, Limit: 10, Offset: 10, Tickets: true})
			if err != nil {
				t.Fatal(err)
			}
			if x := im.Group(g); x.Count > 10 {
				group, grp = g, x
				break
			}
		}
		if grp == nil {
			t.Fatalf("after picking the plan %q no impact group has more than 10 users", picked)
		}
		u.wait("the impact", fmt.Sprintf(`document.querySelector("#impact-%s .impact-count") && document.querySelector("#impact-%s .impact-count").textContent === %q`, group, group, portal.Thousands(grp.Count)))
		u.click("#impact-" + group)
		u.wait("the first page", `document.querySelectorAll("#impact-users .impact-open").length === 10 && document.querySelector("#impact-range").textContent.startsWith("1–10 of") && !document.querySelector("#impact-users.busy")`)
		u.click("#impact-next")
		ids := `Array.from(document.querySelectorAll("#impact-users .impact-open")).map(b => b.dataset.id).join(",")`
		var want []string
		for _, x := range grp.Users {
			want = append(want, x.ID)
		}
		u.wait("the second page", fmt.Sprintf(`document.querySelector("#impact-range").textContent.startsWith("11–") && %s === %q`, ids, strings.Join(want, ",")))
		u.click("#impact-prev")
		u.wait("the first page again", `document.querySelector("#impact-range").textContent.startsWith("1–10 of") && !document.querySelector("#impact-users.busy")`)
		u.click("#impact-next")
		u.wait("the second page again", fmt.Sprintf(`%s === %q`, ids, strings.Join(want, ",")))
		// Each row's visible text says the user's change and why, as the
		// binding says it: the condition and whose value decided it.
		var sentences []string
		for _, x := range grp.Users {
			if !strings.Contains(x.Sentence, " — ") && !strings.Contains(x.Sentence, "the access rule is Everyone") {
				t.Errorf("the binding's sentence for %s says no why: %q", x.ID, x.Sentence)
			}
			sentences = append(sentences, x.Sentence)
		}
		shown := u.eval(`Array.from(document.querySelectorAll("#impact-users .impact-change")).map(e => e.innerText).join("\n")`)
		if shown != strings.Join(sentences, "\n") {
			t.Errorf("the rows show\n%s\nwant the binding's sentences\n%s", shown, strings.Join(sentences, "\n"))
		}
		if g := u.eval(`document.querySelector("#impact-group-sentence").innerText`); g != grp.Sentence+"." {
			t.Errorf("the group's sentence shows %q, want %q", g, grp.Sentence+".")
		}
		first := grp.Users[0]
		u.click(fmt.Sprintf(`#impact-users .impact-open[data-id=%q]`, first.ID))
		u.wait("that user in Preview", fmt.Sprintf(`location.pathname === "/preview" && document.querySelector("#pane-0 .who-email") && document.querySelector("#pane-0 .who-email").textContent === %q && !document.querySelector("#pane-0 .portal-frame.busy")`, first.Email))
	})

	// Not connected, Go live says to connect a server first and leads to
	// the Sync card, its server field focused; no command text anywhere.
	t.Run("GoLiveNotConnectedLeadsToSync", func(t *testing.T) {
		u.t = t
		u.click("#nav-settings")
		u.wait("the go-live card", `document.querySelector("#go-live-connect")`)
		if note := u.eval(`document.querySelector("#go-live-note").textContent`); !strings.HasPrefix(note, "Connect a server first") {
			t.Errorf("go-live note %q", note)
		}
		if u.eval(`!!document.querySelector("#go-live, #save-live, #sync-push")`) != "false" {
			t.Error("a push is offered before a server is connected")
		}
		u.click("#go-live-connect")
		u.wait("the Sync card's server field focused", `document.activeElement && document.activeElement.id === "sync-server"`)
		u.wait("the Sync card in view", `(() => { const r = document.querySelector("#sync-card").getBoundingClientRect(); return r.top >= -1 && r.top < window.innerHeight; })()`)
		if text := u.eval(`document.body.innerText`); strings.Contains(text, "portalstudio ") {
			i := strings.Index(text, "portalstudio ")
			t.Errorf("the page shows a command: %q", text[max(0, i-80):min(len(text), i+80)])
		}
	})

	// Regenerating the demo asks in the page, never with the browser's
	// confirm(): Cancel changes nothing; confirming replaces the data.
	t.Run("DemoConfirmationInPage", func(t *testing.T) {
		u.t = t
		u.eval(`(() => { window.__confirmed = 0; window.confirm = () => { window.__confirmed++; return true; }; return "ok"; })()`)
		u.click("#nav-data")
		u.wait("the demo card", `document.querySelector("#demo-generate")`)
		u.set("#demo-users", "40", "input")
		u.click("#demo-generate")
		text := u.wait("the confirmation", `document.querySelector("#demo-confirm") && document.querySelector("#demo-confirm-text").textContent`)
		if !strings.Contains(text, "40 demo users") {
			t.Errorf("confirmation %q", text)
		}
		u.wait("the focus on Cancel", `document.activeElement && document.activeElement.id === "demo-confirm-no"`)
		u.click("#demo-confirm-no")
		u.wait("the confirmation gone", `!document.querySelector("#demo-confirm")`)
		if ov, _ := u.b.Overview(); ov.Counts.Users != 300 {
			t.Fatalf("Cancel changed the data: %d users", ov.Counts.Users)
		}
		u.click("#demo-generate")
		u.wait("the confirmation", `document.querySelector("#demo-confirm-yes")`)
		u.click("#demo-confirm-yes")
		u.wait("the demo generated", `document.querySelector("#job-summary") && !document.querySelector("#demo-generate").disabled`)
		if ov, _ := u.b.Overview(); ov.Counts.Users != 40 {
			t.Errorf("after confirming: %d users, want 40", ov.Counts.Users)
		}
		if n := u.eval(`window.__confirmed`); n != "0" {
			t.Errorf("the browser's confirm() was called %s times", n)
		}
	})

	// Everything above, typing and invalid intermediate edits included,
	// wrote no error to the console (a refused request, an exception, a
	// call to a released function).
	t.Run("NoConsoleErrors", func(t *testing.T) {
		u.mu.Lock()
		defer u.mu.Unlock()
		for _, m := range u.console {
			if m.Type == "error" || m.Type == chromedp.ConsoleException {
				t.Errorf("console %s: %s", m.Type, m.Text)
			}
		}
	})
}
