//go:build smoke

package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDesktopSmoke builds the real desktop binary (Wails, WebKitGTK), runs
// it under Xvfb in smoke mode on a demo workspace, and checks the report
// of the scripted flow it runs through the real UI and Wails IPC. The
// screenshot is saved as build/smoke.png. Run it with make test (it needs
// the tag smoke and the packages scripts/deps.sh installs).
func TestDesktopSmoke(t *testing.T) {
	for _, tool := range []string{"xvfb-run", "xauth", "import"} {
		needTool(t, tool)
	}
	root := repoRoot()
	web := filepath.Join(root, "app", "web")
	if _, err := os.Stat(filepath.Join(web, "app.wasm")); err != nil {
		// The binary embeds app/web: build the UI there (make wasm).
		cmd := exec.Command("go", "build", "-ldflags=-s -w", "-o", filepath.Join(web, "app.wasm"), "./frontend/cmd/wasm")
		cmd.Dir, cmd.Env = root, append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building the UI: %v\n%s", err, out)
		}
	}
	bin := filepath.Join(t.TempDir(), "portalstudio")
	build := exec.Command("go", "build", "-tags", "desktop,production,webkit2_41,sqlite_fts5", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the desktop binary failed (GTK/WebKit missing? run scripts/deps.sh): %v\n%s", err, out)
	}
	ws := filepath.Join(t.TempDir(), "smoke.db")
	if out, err := exec.Command(bin, "demo", "--workspace", ws, "--users", "300", "--companies", "30", "--tickets", "600").CombinedOutput(); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	shot := filepath.Join(root, "build", "smoke.png")
	os.Remove(shot)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xvfb-run", "-a", "-s", "-screen 0 1280x820x24", bin, "--workspace", ws)
	cmd.Env = append(os.Environ(), "PORTALSTUDIO_SMOKE=1", "PORTALSTUDIO_SMOKE_SHOT="+shot, "PORTALSTUDIO_NO_OPEN=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the desktop app failed: %v\n%s", err, out)
	}
	var report struct {
		Transport                                     string
		LoadedMs                                      int
		AccessBefore, AccessAfter                     string
		RestrictedBefore, RestrictedOff, RestrictedOn string
		Pane0Tabs, Pane1Tabs                          string
		Saved, Marker, Error                          string
		Steps                                         []string
	}
	found := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "SMOKE REPORT: "); ok {
			found = true
			if err := json.Unmarshal([]byte(rest), &report); err != nil {
				t.Fatalf("report: %v: %s", err, rest)
			}
		}
	}
	if !found {
		t.Fatalf("no smoke report in the output:\n%s", out)
	}
	t.Logf("report: %+v", report)
	switch {
	case report.Error != "":
		t.Errorf("the smoke flow failed: %s (steps: %v)", report.Error, report.Steps)
	case report.Transport != "wails":
		t.Errorf("transport %q, want wails (IPC)", report.Transport)
	case report.AccessBefore != "300" || report.AccessAfter == "300" || report.AccessAfter == "":
		t.Errorf("access count %s → %s, want 300 → fewer", report.AccessBefore, report.AccessAfter)
	case report.RestrictedOff != "0" || report.RestrictedOn == "0":
		t.Errorf("restricted off %s, on %s", report.RestrictedOff, report.RestrictedOn)
	case report.Pane0Tabs != "mine" || report.Pane1Tabs != "all,mine":
		t.Errorf("preview tabs %q and %q, want mine and all,mine", report.Pane0Tabs, report.Pane1Tabs)
	}
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10_000 {
		t.Errorf("no screenshot at %s: %v", shot, err)
	}
}
