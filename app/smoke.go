//go:build desktop || bindings

package app

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"time"

	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"
)

// The desktop smoke test's scripted flow: once the page is ready, the
// window runs smoke.js, which clicks through the settings and preview
// pages through the real UI (so every call crosses Wails IPC) and reports
// what it saw through Smoke.Report. The app prints the report, takes a
// screenshot of the screen and quits.

//go:embed smoke.js
var smokeJS string

// Smoke receives the smoke flow's report; it is bound only in smoke mode.
type Smoke struct {
	out    io.Writer
	shot   string
	once   sync.Once
	report chan string
}

func newSmoke(out io.Writer, shot string) *Smoke {
	return &Smoke{out: out, shot: shot, report: make(chan string, 1)}
}

// Report is called by smoke.js with its report (JSON).
func (s *Smoke) Report(report string) error {
	select {
	case s.report <- report:
	default:
	}
	return nil
}

func (s *Smoke) run(wctx context.Context) {
	s.once.Do(func() {
		wruntime.WindowExecJS(wctx, smokeJS)
		var report string
		select {
		case report = <-s.report:
		case <-time.After(90 * time.Second):
			report = `{"error":"the smoke flow did not report within 90 s"}`
		}
		if s.shot != "" {
			time.Sleep(500 * time.Millisecond) // let the last frame paint
			if out, err := exec.Command("import", "-window", "root", s.shot).CombinedOutput(); err != nil {
				fmt.Fprintf(s.out, "SMOKE SCREENSHOT FAILED: %v %s\n", err, out)
			}
		}
		fmt.Fprintf(s.out, "SMOKE REPORT: %s\n", report)
		wruntime.Quit(wctx)
	})
}
