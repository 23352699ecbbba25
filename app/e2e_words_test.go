package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portalstudio/backend/remote"
	"portalstudio/backend/wire"
)

// TestUISentences shows, in headless Chromium on a demo workspace, the
// studio speaking the admin's language (issue 20): a decision's reason in
// the Preview is the sentence with the schema's labels and the value that
// decided it, the change summary stands above the diff, and a condition
// just added waits for its value without a red error.
func TestUISentences(t *testing.T) {
	t.Setenv(remote.NoKeyringEnv, "1")
	u := newUI(t, 300)
	u.open()

	t.Run("DecisionSentenceInPreview", func(t *testing.T) {
		u.t = t
		samples, err := u.b.SampleUsers("draft")
		if err != nil || samples.Restricted == nil {
			t.Fatalf("no restricted user: %v", err)
		}
		p, err := u.b.Preview(wire.PreviewRequest{User: samples.Restricted.ID})
		if err != nil {
			t.Fatal(err)
		}
		// The demo draft restricts everyone but company admins
		// (user.custom.is_admin equals false).
		name := p.User.Name
		if name == "" {
			name = p.User.Email
		}
		want := "Sees only their own tickets: Is admin is false — " + name + ": false."
		if p.RestrictedSentence != want {
			t.Fatalf("the binding says %q, want %q", p.RestrictedSentence, want)
		}
		u.click("#nav-preview")
		u.wait("the picker", `document.querySelector("#pane-0 .user-search-input")`)
		u.do("search user", chromedp.SendKeys(chromedp.CSS("#pane-0 .user-search-input"), samples.Restricted.Email))
		u.wait("search result", `document.querySelector("#pane-0 .found-user")`)
		u.click("#pane-0 .found-user")
		// The badge says the decision, the line under it why; the line
		// carries the whole sentence.
		reason := `document.querySelector('#pane-0 [data-decision="restricted"] .reason')`
		got := u.wait("the restriction's sentence", fmt.Sprintf(`document.querySelector("#pane-0 .who-email") && document.querySelector("#pane-0 .who-email").textContent === %q && %s && %s.dataset.sentence`, samples.Restricted.Email, reason, reason))
		if got != want {
			t.Errorf("the Preview's sentence is %q, want %q", got, want)
		}
		shown := u.wait("the decision shown", `(function(){ const e = document.querySelector('#pane-0 [data-decision="restricted"]'); return e ? e.innerText.replace(/\s+/g, " ").trim() : "" })()`)
		if !strings.HasPrefix(shown, "◐ Restricted to own tickets Is admin is false — "+name+": false.") {
			t.Errorf("the Preview shows %q", shown)
		}
		access := u.wait("the access reason", `(document.querySelector('#pane-0 [data-decision="access"] .reason')||{}).textContent`)
		if access != "The access rule is Everyone." {
			t.Errorf("access reason %q", access)
		}
		nodes := u.eval(`Array.from(document.querySelectorAll('#pane-0 [data-decision="restricted"] .t-rule')).map(e => e.textContent).join(" | ")`)
		if nodes != "All of these | Is admin is false — "+name+": false" {
			t.Errorf("the trace reads %q", nodes)
		}
		if body := u.eval(`document.querySelector("#pane-0 .decision").textContent`); strings.Contains(body, "user.custom.is_admin") {
			t.Errorf("the decision shows the rule's internal form: %q", body)
		}
	})

	t.Run("ChangeSummaryAboveDiff", func(t *testing.T) {
		u.t = t
		u.click("#nav-settings")
		u.wait("the change summary", `document.querySelector("#change-summary")`)
		got := u.eval(`Array.from(document.querySelectorAll("#change-summary .change")).map(e => e.textContent).join(" | ")`)
		d, err := u.b.Diff()
		if err != nil {
			t.Fatal(err)
		}
		if got != strings.Join(d.Summary, " | ") || !strings.Contains(got, "Customer portal: turned on.") {
			t.Errorf("the summary shows %q; the binding says %q", got, d.Summary)
		}
		u.click("#view-diff")
		u.wait("the diff", `document.querySelector("#diff-view")`)
		if above := u.eval(`!!(document.querySelector("#change-summary").compareDocumentPosition(document.querySelector("#diff-view")) & Node.DOCUMENT_POSITION_FOLLOWING)`); above != "true" {
			t.Error("the change summary is not above the diff")
		}
		u.click("#view-diff")
	})

	t.Run("NewConditionWaitsWithoutError", func(t *testing.T) {
		u.t = t
		u.wait("access builder", `document.querySelector("#access-add")`)
		u.click("#access-add")
		u.wait("attribute picker", `document.querySelector("#access-add-attr")`)
		u.set("#access-add-attr", "user.email", "change")
		row := `document.querySelector('#access-builder .condition[data-attribute="user.email"]')`
		u.wait("the new condition waiting", row+` && `+row+`.classList.contains("waiting") && `+row+`.querySelector(".cond-waiting")`)
		if hint := u.eval(row + `.querySelector(".cond-waiting").textContent`); hint != "Type a value, or choose has any value / is unknown." {
			t.Errorf("hint %q", hint)
		}
		if u.eval(`!!document.querySelector("#access-builder .condition.has-error, #access-builder .condition .error")`) != "false" {
			t.Error("a red error shows before anything was typed")
		}
		if pill := u.eval(`document.querySelector("#save-state").className`); strings.Contains(pill, "pill-error") {
			t.Errorf("the save state is an error: %s", pill)
		}
		// Typing a value saves it; removing the condition restores
		// Everyone.
		u.do("type a value", chromedp.SendKeys(chromedp.CSS(`#access-builder .condition[data-attribute="user.email"] .cond-value`), "examply"))
		u.saved()
		u.wait("no longer waiting", `!`+row+`.classList.contains("waiting")`)
		u.click(`#access-builder .condition[data-attribute="user.email"] .cond-remove`)
		u.saved()
	})

	t.Run("PortalTestExamples", func(t *testing.T) {
		u.t = t
		u.click("#nav-settings")
		u.wait("the examples", `document.querySelector("#check-examples")`)
		// The help shows every kind of test as a sentence; choosing one
		// puts it in the box, and adding it runs it.
		shown := u.eval(`Array.from(document.querySelectorAll("#check-examples .check-example")).map(e => e.textContent).join(" | ")`)
		var want []string
		for _, e := range wire.CheckExamples {
			want = append(want, e.Text)
		}
		if shown != strings.Join(want, " | ") {
			t.Errorf("the examples show %q, want %q", shown, want)
		}
		if card := u.eval(`document.querySelector("#portal-tests").innerText`); strings.Contains(card, "USER") {
			t.Errorf("the Portal tests card shows rule syntax: %q", card)
		}
		u.eval(`(() => { document.querySelector("#check-examples").open = true; return "ok"; })()`)
		u.eval(`(() => { Array.from(document.querySelectorAll("#check-examples .check-example")).find(e => e.textContent === "at least 100 users have access").click(); return "ok"; })()`)
		u.wait("the example in the box", `document.querySelector("#check-input").value === "at least 100 users have access"`)
		u.click("#check-add")
		u.wait("the test added and passing", `Array.from(document.querySelectorAll("#portal-tests .check.pass .check-text")).some(e => e.textContent.trim() === "at least 100 users have access")`)
		// A sentence that is no test is refused with the examples.
		u.set("#check-input", "everyone is happy", "input")
		u.click("#check-add")
		msg := u.wait("the refusal", `Array.from(document.querySelectorAll("#portal-tests .error")).map(e => e.textContent).join(" ")`)
		if !strings.Contains(msg, "is not a portal test") || !strings.Contains(msg, "“at least 100 users have access”") || strings.Contains(msg, "USER") {
			t.Errorf("the refusal reads %q", msg)
		}
	})
}
