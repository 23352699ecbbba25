package app_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"portalstudio/backend/remote"
)

// TestUIScreenshots renders the settings and preview pages at a wide
// desktop, a narrow desktop and a phone's width, checks that none of them
// scrolls sideways, and saves each as a PNG (into
// PORTALSTUDIO_SCREENSHOTS when set, else the test's temporary folder) for
// a person to look at.
func TestUIScreenshots(t *testing.T) {
	t.Setenv(remote.NoKeyringEnv, "1")
	dir := screenshotDir(t)
	u := newUI(t, 300)
	u.open()
	for _, w := range []int{1440, 1024, 390} {
		for _, page := range []struct{ name, nav, open, ready string }{
			{"settings", "#nav-settings", "", `document.querySelector("#access-count") && document.querySelector("#impact-summary")`},
			// The impact list opened: each row says its user's change.
			{"settings-impact", "#nav-settings", ".impact-group:not([disabled]):not(.open)", `document.querySelector("#impact-users .impact-change") && !document.querySelector("#impact-users.busy")`},
			{"preview", "#nav-preview", "", `document.querySelector("#pane-0 .who-email") && document.querySelector("#pane-1 .who-email") && !document.querySelector(".portal-frame.busy")`},
			{"data", "#nav-data", "", `document.querySelector("#workspace-stats")`},
		} {
			name := fmt.Sprintf("%s-%d", page.name, w)
			t.Run(name, func(t *testing.T) {
				u.t = t
				u.do("resize", chromedp.EmulateViewport(int64(w), 900))
				u.click(page.nav)
				if page.open != "" {
					u.wait("the impact groups", `document.querySelector(".impact-group.open") || document.querySelector(`+strconv.Quote(page.open)+`)`)
					u.eval(`(() => { if (!document.querySelector(".impact-group.open")) document.querySelector(` + strconv.Quote(page.open) + `).click(); return "ok"; })()`)
				}
				u.wait(page.name, page.ready)
				if over := u.eval(`document.documentElement.scrollWidth - window.innerWidth`); over != "0" {
					t.Errorf("at %d px the %s page scrolls sideways by %s px", w, page.name, over)
				}
				u.screenshot(filepath.Join(dir, name+".jpg"))
			})
		}
	}
}

// screenshotDir is where screenshots go: PORTALSTUDIO_SCREENSHOTS when
// set, else the test's temporary folder.
func screenshotDir(t *testing.T) string {
	if dir := os.Getenv("PORTALSTUDIO_SCREENSHOTS"); dir != "" {
		return dir
	}
	return t.TempDir()
}

// screenshot saves the whole page as a JPEG.
func (u *ui) screenshot(path string) {
	u.t.Helper()
	png, err := chromedp.Run(u.ctx, chromedp.FullScreenshot(80))
	if err != nil {
		u.fail("screenshot", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		u.t.Fatal(err)
	}
}
