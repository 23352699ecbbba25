package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

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
		if st, _ := u.svc.Settings(context.Background(), "draft"); !st.Portal.Enabled {
			t.Fatal("the portal did not turn on with its prerequisites met")
		}
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
		st, _ := u.svc.Settings(context.Background(), "draft")
		if st.Portal.Enabled || st.IdentityVerification {
			t.Errorf("the saved draft has portal.enabled %v, identity_verification %v; want both off, as shown", st.Portal.Enabled, st.IdentityVerification)
		}
		// Turning identity verification back on clears the note; the
		// portal stays off until the admin turns it on.
		u.click("#identity-verification")
		u.saved()
		u.wait("the note gone", `!document.querySelector("#portal-error") && !document.querySelector("#portal-enabled").checked`)
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
		st, _ := u.svc.Settings(context.Background(), "draft")
		if got := st.HelpCenter.Sections[2].ID; got != first {
			t.Errorf("after Alt+↓ twice the draft's third section is %s, want %s (moved twice)", got, first)
		}
	})

	// The user picker: type, ↓ ↓ highlights the second suggestion, Enter
	// previews that user.
	t.Run("PickerArrowsAndEnter", func(t *testing.T) {
		u.t = t
		u.click("#nav-preview")
		u.wait("the picker", `document.querySelector("#pane-0 .user-search-input")`)
		u.do("type", chromedp.SendKeys(chromedp.CSS("#pane-0 .user-search-input"), "an"))
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
}
