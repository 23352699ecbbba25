package app_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"portalstudio/backend/remote"
)

// TestUIPickShownUser picks, in the Preview's first pane, the user it
// already shows (the restricted sample it opened with), while the server
// holds the pane's new Preview call back: the pane keeps showing that
// user's portal and decision until the new one comes, never blanked to
// its loading line (a test that waited for the pane to show the user it
// picked once read the pane in that gap).
func TestUIPickShownUser(t *testing.T) {
	t.Setenv(remote.NoKeyringEnv, "1")
	var mu sync.Mutex
	var hold chan struct{} // while set, Preview waits for it to close
	arrived := make(chan struct{}, 16)
	u := newUIWith(t, 300, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			gate := hold
			mu.Unlock()
			if gate != nil && r.URL.Path == "/api/Preview" {
				arrived <- struct{}{}
				select {
				case <-gate:
				case <-r.Context().Done():
					return
				}
			}
			h.ServeHTTP(w, r)
		})
	})
	u.open()
	samples, err := u.b.SampleUsers("draft")
	if err != nil || samples.Restricted == nil {
		t.Fatalf("samples %+v, %v", samples, err)
	}
	email := samples.Restricted.Email
	u.click("#nav-preview")
	u.wait("the sample's decision", fmt.Sprintf(`document.querySelector("#pane-0 .who-email") && document.querySelector("#pane-0 .who-email").textContent === %q && document.querySelector("#pane-0 .decision")`, email))
	u.eval(`(function(){ window.paneBlanked = 0; new MutationObserver(() => {
		const p = document.querySelector("#pane-0");
		if (!p || !p.querySelector(".decision") || p.textContent.includes("Loading the portal")) window.paneBlanked++;
	}).observe(document.body, {subtree: true, childList: true, characterData: true}); return true })()`)
	gate := make(chan struct{})
	mu.Lock()
	hold = gate
	mu.Unlock()
	u.do("search user", chromedp.SendKeys(chromedp.CSS("#pane-0 .user-search-input"), email))
	u.wait("search result", `document.querySelector("#pane-0 .found-user")`)
	u.click("#pane-0 .found-user")
	<-arrived // the pick's Preview call, held
	// The pick's state is rendered before its call goes out: a blank
	// pane would be in the page by now.
	u.wait("the page after the pick", `document.querySelector("#pane-0 .user-search-input") && document.querySelector("#pane-0 .user-search-input").value === ""`)
	blanked := u.eval(`String(window.paneBlanked)`)
	mu.Lock()
	hold = nil
	mu.Unlock()
	close(gate)
	if blanked != "0" {
		t.Errorf("the pane was blanked %s time(s) while the user it showed was loaded again", blanked)
	}
	u.wait("the decision again", `document.querySelector("#pane-0 .decision")`)
	if n := u.eval(`String(window.paneBlanked)`); n != "0" {
		t.Errorf("the pane was blanked %s time(s)", n)
	}
}
