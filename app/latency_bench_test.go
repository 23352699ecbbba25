package app_test

import (
	"context"
	"fmt"
	"os"
	"portalstudio/internal/testkit"
	"sort"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portalstudio/app"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/studio"
)

// BenchmarkEditToCount measures, in browser mode in headless Chromium,
// how long after an edit of the access rule the new audience count is on
// screen, against the engine's own count time for the same rule; the
// difference less the typing debounce is what the bridge and the
// rendering add. It runs on the workspace named by
// PORTALSTUDIO_BENCH_WORKSPACE (make bench passes the 1,000,000-user one;
// its draft is set to an access rule and restored after), else on a new
// 2,000-user demo workspace.
func BenchmarkEditToCount(b *testing.B) {
	needTool(b, chromium)
	web := webDir(b)
	ctx := context.Background()
	var svc *studio.Service
	var bindings *app.Bindings
	if path := os.Getenv("PORTALSTUDIO_BENCH_WORKSPACE"); path != "" {
		ws, err := sqlite.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer ws.Close()
		svc = testkit.Service(b, ws)
		bindings = app.NewBindings(ctx, svc, ws)
	} else {
		svc, bindings = newWorkspace(b, 2000)
	}
	old, err := svc.Settings(ctx, studio.Draft)
	if err != nil {
		b.Fatal(err)
	}
	defer svc.ApplySettings(context.Background(), old.Canonical())
	rule := func(v string) string {
		return `{"portal": {"enabled": true}, "identity_verification": true, "access": {"rule": {"all": [
			{"attribute": "user.email", "operator": "contains", "value": "` + v + `"}]}}}`
	}
	if _, err := svc.ApplySettings(ctx, []byte(rule("examply"))); err != nil {
		b.Fatal(err)
	}
	s, srv := serveBrowser(b, bindings, os.DirFS(web))
	actx, cancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(b.TempDir()))
	defer cancel()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	if err := chromedp.Do(bctx, chromedp.Navigate(srv.URL+"/?s="+s.Secret),
		chromedp.Poll[chromedp.Void](`!document.getElementById("app-wasm-loader") && document.querySelector("#access-builder .condition .cond-value")`, chromedp.WithPollingTimeout(60*time.Second)),
	); err != nil {
		b.Fatal(err)
	}
	values := []string{"globex", "examply", "initech", "gmail"}
	var ui, engine []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := values[i%len(values)]
		start := time.Now()
		want, err := svc.RuleAudience(ctx, studio.OfAccess, portal.AllOf(portal.Cond("user.email", portal.OpContains, v)), "", 8)
		if err != nil {
			b.Fatal(err)
		}
		engine = append(engine, time.Since(start))
		start = time.Now()
		err = chromedp.Do(bctx,
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const el = document.querySelector("#access-builder .condition .cond-value"); el.value = %q; el.dispatchEvent(new Event("input", {bubbles: true})); })()`, v)),
			chromedp.Poll[chromedp.Void](fmt.Sprintf(`(document.querySelector("#access-count") || {textContent: ""}).textContent.replace(/\D/g, "") === %q`, fmt.Sprint(want.Count)), chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(2*time.Millisecond)),
		)
		ui = append(ui, time.Since(start))
		if err != nil {
			b.Fatalf("waiting for count %d for %q: %v", want.Count, v, err)
		}
	}
	med := func(ds []time.Duration) float64 {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return float64(ds[len(ds)/2].Microseconds()) / 1000
	}
	const debounceMs = 250
	b.ReportMetric(med(ui), "ms/edit-to-screen")
	b.ReportMetric(med(engine), "ms/engine-count")
	b.ReportMetric(med(ui)-med(engine)-debounceMs, "ms/bridge+render")
}
