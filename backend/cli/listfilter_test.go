package cli_test

import (
	"strings"
	"testing"
	"time"

	"portalstudio/backend/wire"
)

// preview's filter flags are the portal API's parameters: the same parser,
// the same sentences, the same facets.
func TestPreviewFilterFlags(t *testing.T) {
	t.Parallel()
	ws := newDemo(t, demoSeed)
	const alice = "alice.martin@examply.com"
	var all wire.PreviewResult
	okJSON(t, &all, "preview", "--workspace", ws, "--user", alice, "--limit", "200")
	if len(all.Facets.Type) == 0 || all.Total == 0 {
		t.Fatalf("alice's facets %+v, total %d", all.Facets, all.Total)
	}
	typ := all.Facets.Type[0]

	var res wire.PreviewResult
	okJSON(t, &res, "preview", "--workspace", ws, "--user", alice, "--limit", "200",
		"--type", typ.ID, "--state", "resolved,in_progress", "--sort", "created", "--order", "asc")
	want := 0
	for _, tt := range res.Facets.Type {
		if tt.ID == typ.ID {
			want = tt.Count // the type's count with the state filter applied
		}
	}
	if res.Total != want || res.Facets.State["resolved"]+res.Facets.State["in_progress"] != want || res.Filter.Sort != "created" || res.Filter.Order != "asc" {
		t.Fatalf("filtered: total %d, facets %+v, filter %+v; want %d", res.Total, res.Facets, res.Filter, want)
	}
	for i, tk := range res.Tickets {
		if tk.State == "" || (i > 0 && tk.CreatedAt.Before(res.Tickets[i-1].CreatedAt)) {
			t.Fatalf("not oldest first by creation: %+v", res.Tickets)
		}
	}

	// The text shows the filters and the counts.
	out, _, _ := run(t, "preview", "--workspace", ws, "--user", alice, "--state", "resolved", "--created-before", time.Now().UTC().Format(time.DateOnly))
	if !strings.Contains(out, "Filters: --state resolved --created-before ") || !strings.Contains(out, "By state: submitted ") || !strings.Contains(out, "By type: ") {
		t.Errorf("preview text:\n%s", out)
	}

	for flag, value := range map[string]string{"--state": "open", "--type": strings.Repeat("x", 201), "--created-after": "yesterday",
		"--created-before": "2026-02-30", "--sort": "title", "--order": "up"} {
		param := strings.ReplaceAll(strings.TrimPrefix(flag, "--"), "-", "_")
		if msg := fails(t, 1, "preview", "--workspace", ws, "--user", alice, flag, value); !strings.Contains(msg, param+" must") {
			t.Errorf("%s %s: %q", flag, value, msg)
		}
	}
}
