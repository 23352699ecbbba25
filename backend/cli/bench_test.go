package cli_test

import (
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestBenchSmall runs the bench on a small workspace it builds: the
// engine's first users are the head of its whole list (the bench fails
// otherwise), the one-shot commands are measured as child processes, and
// the engine reports its load time and memory.
func TestBenchSmall(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "bench.db")
	var rep struct {
		Results []struct {
			Name   string  `json:"name"`
			Median float64 `json:"median_ms"`
		} `json:"results"`
		ColumnsLoadMs float64 `json:"columns_load_ms"`
		ColumnsMB     float64 `json:"columns_mb"`
		ColumnsMapped bool    `json:"columns_mapped"`
		OneShot       []struct {
			Name string `json:"name"`
		} `json:"one_shot"`
		StartMs    float64 `json:"one_shot_start_ms"`
		ResidentMB float64 `json:"resident_anon_mb"`
	}
	okJSON(t, &rep, "bench", "--workspace", ws, "--users", "400", "--companies", "40", "--tickets", "200", "--runs", "1")
	var app []string
	for _, r := range rep.Results {
		app = append(app, r.Name)
	}
	wantApp := []string{"count, typical rule (columns)", "count, hard rule (columns)", "first 50 matching users, typical (columns)", "impact of a typical change (columns)"}
	if len(app) < len(wantApp) || !slices.Equal(app[:len(wantApp)], wantApp) {
		t.Errorf("the bench measured %v; want the running app's counts, first users and impact first: %v", app, wantApp)
	}
	// The one-shot column: child processes of the binary, their start-up
	// measured.
	var oneShot []string
	for _, r := range rep.OneShot {
		oneShot = append(oneShot, r.Name)
	}
	wantOneShot := []string{"count, typical rule", "open to first count, whole new process", "count, hard rule", "first 50 matching users, typical",
		"impact of a typical change", "a user's page, All tab", "a user's page, Created by me tab",
		`search "montréal", ranked with snippets`, `search "thanks", ranked with snippets`, "import 10 users, then a count (2 processes)"}
	if !slices.Equal(oneShot, wantOneShot) || rep.StartMs <= 0 {
		t.Errorf("one-shot column %v, start-up %v ms; want %v and measured", oneShot, rep.StartMs, wantOneShot)
	}
	// The import was into a copy, removed afterwards: the bench's
	// workspace has none of the users it imported, and nothing is left
	// beside it.
	if _, _, code := run(t, "preview", "--workspace", ws, "--user", "bench-new-1-0"); code == 0 {
		t.Errorf("the bench's import of bench-new-1-0 reached its workspace")
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(ws), ".bench-import-*")); len(left) > 0 {
		t.Errorf("the bench left %v", left)
	}
	if rep.ColumnsLoadMs <= 0 || rep.ColumnsMB <= 0 || !rep.ColumnsMapped {
		t.Errorf("columns load %v ms, %v MB, mapped %v; want both measured, the engine's file mapped", rep.ColumnsLoadMs, rep.ColumnsMB, rep.ColumnsMapped)
	}
	// The resident memory no file backs: Linux says it (RssAnon).
	if runtime.GOOS == "linux" && rep.ResidentMB <= 0 {
		t.Errorf("resident memory beyond mapped files %v MB; want it measured", rep.ResidentMB)
	}
	// A second run reuses the workspace.
	out := ok(t, "bench", "--workspace", ws, "--runs", "1")
	if !strings.Contains(out, "Running app's columns: loaded in") || !strings.Contains(out, "One-shot commands (child processes") ||
		(runtime.GOOS == "linux" && !strings.Contains(out, "Resident beyond mapped files (RssAnon")) || strings.Contains(out, "Built in") {
		t.Errorf("second run:\n%s", out)
	}
}
