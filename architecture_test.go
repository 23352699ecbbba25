package main

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// layers says, for each package of the product, which of our packages it
// may import (its own subpackages aside). The arrows run one way: the
// composition roots (main, app, cli) pick adapters and wire services;
// services (studio, server) depend on the domain's ports; adapters
// (storage, the remote client) implement or speak them in domain terms;
// the domain imports nothing of ours. README "Architecture" tells the
// same in words.
var layers = map[string][]string{
	// The domain and the leaves.
	"backend/portal":       {},
	"backend/portal/words": {"backend/portal"},
	"backend/textdiff":     {},
	"backend/privatefile":  {},
	"backend/wire":         {"backend/portal"},
	"backend/intercom":     {"backend/portal"},
	"backend/demo":         {"backend/portal"},
	"backend/audience":     {"backend/portal"},
	// Adapters: domain terms only, never a service or the wire types.
	"backend/storage/listpage": {"backend/portal"},
	"backend/storage/sqlite":   {"backend/portal", "backend/storage/listpage", "backend/audience"},
	"backend/storage/postgres": {"backend/portal", "backend/storage/listpage", "backend/audience"},
	"backend/remote":           {"backend/portal", "backend/portal/words", "backend/wire", "backend/intercom", "backend/textdiff", "backend/privatefile"},
	// Services: the domain's ports, never an adapter.
	"backend/studio": {"backend/portal", "backend/portal/words", "backend/wire", "backend/demo", "backend/intercom", "backend/textdiff", "backend/audience"},
	"backend/server": {"backend/portal", "backend/wire", "backend/studio", "backend/intercom", "backend/privatefile", "webui"},
	// The UI shares the domain and the wire types.
	"frontend":          {"backend/portal", "backend/portal/words", "backend/wire"},
	"frontend/cmd/wasm": {"frontend"},
	"webui":             {"frontend"},
	// Composition roots.
	"app": {"backend/portal", "backend/wire", "backend/studio", "backend/remote", "backend/storage/sqlite", "backend/audience", "webui"},
	// The command line may use anything but the test-only helpers; the
	// bench command shares its measured rules with the Go benchmarks.
	"backend/cli": {"backend/portal", "backend/portal/words", "backend/wire", "backend/demo", "backend/intercom", "backend/studio", "backend/server",
		"backend/remote", "backend/storage/sqlite", "backend/storage/postgres", "backend/audience", "internal/benchrules"},
	"": {"app", "backend/cli"},
}

// TestImportDirection fails when a package imports one of ours its layer
// may not reach, when a package has no layer yet (say where it belongs),
// or when product code imports a test-only package (internal/…).
func TestImportDirection(t *testing.T) {
	const module = "portalstudio"
	out, err := exec.Command("go", "list", "-tags", "sqlite_fts5", "-f", `{{.ImportPath}} {{join .Imports ","}}`, "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, imports, _ := strings.Cut(line, " ")
		pkg := strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
		if strings.HasPrefix(pkg, "internal/") {
			continue // test helpers: they may use anything
		}
		allowed, ok := layers[pkg]
		if !ok {
			t.Errorf("%s has no layer: add it to layers (and to README's Architecture)", path)
			continue
		}
		seen++
		for _, imp := range strings.Split(imports, ",") {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
			switch {
			case strings.HasPrefix(dep, "internal/") && !may(allowed, dep):
				t.Errorf("%s imports the test-only %s", path, imp)
			case strings.HasPrefix(dep, pkg+"/"):
			case !may(allowed, dep):
				t.Errorf("%s may not import %s: its layer reaches only %s", path, imp, strings.Join(sorted(allowed), ", "))
			}
		}
	}
	if seen < 10 {
		t.Fatalf("only %d packages listed; go list output:\n%s", seen, out)
	}
}

func may(allowed []string, dep string) bool {
	for _, a := range allowed {
		if a == dep {
			return true
		}
	}
	return false
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
