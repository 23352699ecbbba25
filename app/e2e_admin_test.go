package app_test

import (
	"context"
	"strings"
	"testing"

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
}
