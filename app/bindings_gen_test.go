package app_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"portalstudio/app"
)

// TestWailsBindingGeneration does what Wails' own tooling does before
// `wails build` and `wails dev` (pkg/commands/bindings): it builds the
// program with the tag bindings (and without desktop or production) and
// runs it in a project folder holding wails.json. The program must
// register its bindings, write frontend/wailsjs and exit at once, never
// open a window, a browser or a workspace (it once hung there for good).
func TestWailsBindingGeneration(t *testing.T) {
	root := repoRoot()
	bin := filepath.Join(t.TempDir(), "wailsbindings")
	build := exec.Command("go", "build", "-buildvcs=false", "-tags", "bindings,sqlite_fts5", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags bindings: %v\n%s", err, out)
	}

	project := t.TempDir()
	cfg, err := os.ReadFile(filepath.Join(root, "wails.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(project, "wails.json"), cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	// A guard against the old hang, not a speed check: generation takes
	// well under a second.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run := exec.CommandContext(ctx, bin)
	run.Dir = project
	run.Env = append(os.Environ(), "PORTALSTUDIO_NO_OPEN=1", "DISPLAY=", "WAYLAND_DISPLAY=", "HOME="+t.TempDir())
	out, err := run.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the bindings build did not exit: it must register its bindings and stop\n%s", tail(out))
	}
	if err != nil {
		t.Fatalf("the bindings build failed: %v\n%s", err, tail(out))
	}

	js, err := os.ReadFile(filepath.Join(project, "frontend", "wailsjs", "go", "app", "Bindings.js"))
	if err != nil {
		t.Fatalf("no generated bindings: %v\n%s", err, tail(out))
	}
	if _, err := os.Stat(filepath.Join(project, "frontend", "wailsjs", "runtime", "runtime.js")); err != nil {
		t.Fatalf("no generated runtime: %v", err)
	}
	// Every bound method is in the generated module, as the UI calls it
	// (window.go.app.Bindings.Method).
	typ := reflect.TypeOf(&app.Bindings{})
	for i := 0; i < typ.NumMethod(); i++ {
		name := typ.Method(i).Name
		if !strings.Contains(string(js), "export function "+name+"(") {
			t.Errorf("Bindings.js lacks %s", name)
		}
	}
	if !strings.Contains(string(js), "window['go']['app']['Bindings']") {
		t.Errorf("Bindings.js does not call window.go.app.Bindings:\n%s", tail(js))
	}
}

// tail returns the last lines of a long output.
func tail(b []byte) string {
	s := string(b)
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return s
}
