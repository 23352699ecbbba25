package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchSmall runs the bench on a small workspace it builds: the SQL
// set path and the in-memory columns count the same users (the bench
// fails otherwise), and the columns report their load time and memory.
func TestBenchSmall(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "bench.db")
	var rep struct {
		Results []struct {
			Name   string  `json:"name"`
			Median float64 `json:"median_ms"`
		} `json:"results"`
		ColumnsLoadMs float64 `json:"columns_load_ms"`
		ColumnsMB     float64 `json:"columns_mb"`
	}
	okJSON(t, &rep, "bench", "--workspace", ws, "--users", "400", "--companies", "40", "--tickets", "200", "--runs", "1")
	paths := map[string]bool{}
	for _, r := range rep.Results {
		for _, p := range []string{"(SQL)", "(columns)"} {
			if strings.HasSuffix(r.Name, p) {
				paths[p] = true
			}
		}
	}
	if !paths["(SQL)"] || !paths["(columns)"] {
		t.Errorf("the bench measured %v; want counts by the SQL path and by the columns", rep.Results)
	}
	if rep.ColumnsLoadMs <= 0 || rep.ColumnsMB <= 0 {
		t.Errorf("columns load %v ms, %v MB; want both measured", rep.ColumnsLoadMs, rep.ColumnsMB)
	}
	// A second run reuses the workspace.
	out := ok(t, "bench", "--workspace", ws, "--runs", "1")
	if !strings.Contains(out, "In-memory columns: loaded in") || strings.Contains(out, "Built in") {
		t.Errorf("second run:\n%s", out)
	}
}
