package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
)

// TestUIAdminIssue20 drives the fixes of issue 20 ("the studio speaks the
// admin's language") in headless Chromium on a demo workspace.
func TestUIAdminIssue20(t *testing.T) {
	t.Setenv(remote.NoKeyringEnv, "1")
	u := newUI(t, 300)
	u.open()

	// Turning identity verification off while the portal is on: the
	// portal cannot stay on, so its toggle shows off (as the saved draft
	// says) with the reason, never on beside a refusal.
	t.Run("IdentityOffTurnsPortalToggleOff", func(t *testing.T) {
		u.t = t
		u.wait("the portal card", `document.querySelector("#portal-enabled") && document.querySelector("#identity-verification")`)
		if u.eval(`document.querySelector("#identity-verification").checked`) != "true" {
			u.click("#identity-verification")
			u.saved()
		}
		if u.eval(`document.querySelector("#help-center-live").checked`) != "true" {
			u.click("#help-center-live")
			u.saved()
		}
		if u.eval(`document.querySelector("#portal-enabled").checked`) != "true" {
			u.click("#portal-enabled")
			u.saved()
		}
		u.draftHas("the portal turning on with its prerequisites met", func(st *portal.Settings) bool { return st.Portal.Enabled })
		u.click("#identity-verification")
		u.wait("the portal turned off", `!document.querySelector("#portal-enabled").checked && document.querySelector("#portal-error") && document.querySelector("#portal-error").textContent.includes("turned off")`)
		u.saved()
		if on := u.eval(`document.querySelector("#portal-enabled").checked`); on != "false" {
			t.Errorf("the portal toggle shows %s beside %q", on, u.eval(`document.querySelector("#portal-error").textContent`))
		}
		msg := u.eval(`document.querySelector("#portal-error").textContent`)
		if !strings.Contains(msg, "End users are not authenticated") {
			t.Errorf("the note %q does not name identity verification", msg)
		}
		u.draftHas("portal.enabled and identity_verification both off in the saved draft, as shown", func(st *portal.Settings) bool {
			return !st.Portal.Enabled && !st.IdentityVerification
		})
		// Turning identity verification back on clears the note; the
		// portal stays off until the admin turns it on.
		u.click("#identity-verification")
		u.saved()
		u.wait("the note gone", `!document.querySelector("#portal-error") && !document.querySelector("#portal-enabled").checked`)
		u.click("#portal-enabled")
		u.saved()
		u.draftHas("the portal turning back on", func(st *portal.Settings) bool { return st.Portal.Enabled })
	})

	// Alt+↓ on a focused section moves it, and the focus follows it: a
	// second press moves the same section again.
	t.Run("AltArrowFocusFollowsSection", func(t *testing.T) {
		u.t = t
		u.wait("sections", `document.querySelectorAll("#sections .section-row").length >= 3`)
		order := `Array.from(document.querySelectorAll("#sections .section-row")).map(r => r.dataset.id).join(",")`
		first := strings.Split(u.eval(order), ",")[0]
		altDown := chromedp.KeyEvent(kb.ArrowDown, chromedp.KeyModifiers(chromedp.ModifierAlt))
		u.do("focus the first section", chromedp.Focus(chromedp.CSS("#sections .section-row:nth-child(1)")))
		for pos := 1; pos <= 2; pos++ {
			u.do("Alt+↓", altDown)
			u.wait(fmt.Sprintf("%s moved to position %d", first, pos+1), fmt.Sprintf(`%s.split(",")[%d] === %q`, order, pos, first))
			u.wait("the focus on the moved section", fmt.Sprintf(`document.activeElement && document.activeElement.dataset.id === %q`, first))
			u.saved()
		}
		u.draftHas("after Alt+↓ twice, "+first+" third in the draft's sections (moved twice)", func(st *portal.Settings) bool {
			return len(st.HelpCenter.Sections) > 2 && st.HelpCenter.Sections[2].ID == first
		})
	})

	// The user picker: type, ↓ ↓ highlights the second suggestion, Enter
	// previews that user.
	t.Run("PickerArrowsAndEnter", func(t *testing.T) {
		u.t = t
		u.click("#nav-preview")
		u.wait("the picker", `document.querySelector("#pane-0 .user-search-input")`)
		// Typed at once, while the page is still picking its sample
		// users: the search box keeps the focus when they arrive.
		u.do("type", chromedp.SendKeys(chromedp.CSS("#pane-0 .user-search-input"), "an"))
		defer func() {
			if t.Failed() {
				t.Log(u.eval(`"focus: " + document.activeElement.className + " value [" + document.querySelector("#pane-0 .user-search-input").value + "] found " + document.querySelectorAll("#pane-0 .found-user").length + " active " + Array.from(document.querySelectorAll("#pane-0 .found-user")).map(b => b.classList.contains("active")).join(",") + " who " + (document.querySelector("#pane-0 .who-email")||{}).textContent`))
			}
		}()
		u.wait("suggestions", `document.querySelectorAll("#pane-0 .found-user").length >= 2`)
		u.do("↓ ↓", chromedp.KeyEvent(kb.ArrowDown+kb.ArrowDown))
		email := u.wait("the second highlighted", `document.querySelectorAll("#pane-0 .found-user")[1].classList.contains("active") && document.querySelectorAll("#pane-0 .found-user.active").length === 1 && document.querySelectorAll("#pane-0 .found-user")[1].querySelector(".user-email").textContent`)
		if active := u.eval(`document.querySelector("#pane-0 .user-search-input").getAttribute("aria-activedescendant")`); active != "found-0-1" {
			t.Errorf("aria-activedescendant %q, want found-0-1", active)
		}
		u.do("Enter", chromedp.KeyEvent(kb.Enter))
		u.wait("that user previewed", fmt.Sprintf(`document.querySelector("#pane-0 .who-email") && document.querySelector("#pane-0 .who-email").textContent === %q`, email))
		u.wait("the search closed", `!document.querySelector("#pane-0 .found-user") && document.querySelector("#pane-0 .user-search-input").value === ""`)
	})

	// "Next example" puts the next example pair side by side (a
	// restricted user who cannot see some of their company's tickets,
	// beside a colleague who sees them), cycling through them.
	t.Run("NextExampleCycles", func(t *testing.T) {
		u.t = t
		s, err := u.b.SampleUsers("draft")
		if err != nil || len(s.Pairs) < 2 {
			t.Fatalf("%v pairs, %v; want at least 2", len(s.Pairs), err)
		}
		u.click("#nav-settings")
		u.wait("settings", `document.querySelector("#visibility-toggle")`)
		u.click("#nav-preview")
		u.wait("the example bar", `document.querySelector("#example-text")`)
		defer func() {
			if t.Failed() {
				t.Log(u.eval(`document.querySelector("#example-text").textContent + " | " + Array.from(document.querySelectorAll(".who-email")).map(e => e.textContent).join(",") + " | busy " + !!document.querySelector(".portal-frame.busy") + " rows " + document.querySelectorAll("#pane-1 .ticket-row").length`))
				t.Logf("pairs %+v %+v", *s.Pairs[0].Restricted, *s.Pairs[0].Unrestricted)
			}
		}()
		// The panes show the users picked above: each click shows the
		// next pair, and after the last the first again.
		for i := 1; i <= len(s.Pairs); i++ {
			p := s.Pairs[i%len(s.Pairs)]
			u.click("#next-example")
			u.wait(fmt.Sprintf("example %d side by side", i%len(s.Pairs)+1), fmt.Sprintf(`document.querySelector("#example-text").textContent.startsWith("Example %d of %d") && document.querySelector("#pane-0 .who-email") && document.querySelector("#pane-0 .who-email").textContent === %q && document.querySelector("#pane-1 .who-email") && document.querySelector("#pane-1 .who-email").textContent === %q && !document.querySelector(".portal-frame.busy") && document.querySelector("#pane-0 .tab") && document.querySelector("#pane-1 .tab") && document.querySelector("#pane-1 .ticket-row")`, i%len(s.Pairs)+1, len(s.Pairs), p.Restricted.Email, p.Unrestricted.Email))
			tabs := u.eval(`Array.from(document.querySelectorAll("#pane-0 .tab")).map(t => t.dataset.tab).join(",") + " | " + Array.from(document.querySelectorAll("#pane-1 .tab")).map(t => t.dataset.tab).join(",")`)
			if tabs != "mine | all,mine" {
				t.Errorf("example %d: tabs %s, want the restricted user on Mine only beside a colleague with All", i+1, tabs)
			}
		}
	})

	// Three files at once, one of them not JSON: each file has its report
	// (the good ones imported, the broken one not), and a report with a
	// rejected record or a failed file is not shown as a success.
	t.Run("MultiFileImportReportsEachFile", func(t *testing.T) {
		u.t = t
		dir := t.TempDir()
		files := map[string]string{
			"good.jsonl":    `{"type":"contact","id":"c-good","email":"good.import@example.com","role":"user"}`,
			"partial.jsonl": `{"type":"contact","id":"c-partial","email":"partial.import@example.com","role":"user"}` + "\n" + `{"type":"contact"}`,
			"broken.json":   `this is not JSON`,
		}
		var paths []string
		for _, name := range []string{"good.jsonl", "partial.jsonl", "broken.json"} {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(files[name]), 0o600); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
		}
		u.click("#nav-data")
		u.wait("the import card", `document.querySelector("#import-file")`)
		u.do("choose the files", chromedp.SetUploadFiles(chromedp.CSS("#import-file"), paths))
		u.wait("a report per file", `document.querySelectorAll("#file-reports .file-report").length === 3`)
		state := func(name string) string {
			return u.eval(fmt.Sprintf(`document.querySelector('#file-reports [data-file=%q]').className + " | " + document.querySelector('#file-reports [data-file=%q]').textContent`, name, name))
		}
		for name, want := range map[string]string{"good.jsonl": "file-report ok", "partial.jsonl": "file-report partial", "broken.json": "file-report failed"} {
			if got := state(name); !strings.HasPrefix(got, want+" |") {
				t.Errorf("%s: %q, want class %q", name, got, want)
			}
		}
		if got := state("broken.json"); !strings.Contains(got, "not imported") {
			t.Errorf("the broken file's report %q does not say it was not imported", got)
		}
		if got := state("partial.jsonl"); !strings.Contains(got, "1 record rejected") {
			t.Errorf("the partial file's report %q does not count its rejection", got)
		}
		if cls := u.eval(`document.querySelector("#job").className + " / " + document.querySelector("#job-summary").className`); strings.Contains(cls, " ok") || !strings.Contains(cls, "partial") {
			t.Errorf("the import with a rejection and a broken file is shown as %q", cls)
		}
		for _, email := range []string{"good.import@example.com", "partial.import@example.com"} {
			if found, err := u.svc.FindUsers(context.Background(), email, 1); err != nil || len(found) != 1 {
				t.Errorf("%s was not imported: %v %v", email, found, err)
			}
		}
	})
}
