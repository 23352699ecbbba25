package audience_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The engine is pure Go: the standard library, roaring and the domain.
// No SQL, no cgo (with or without the project's build tags), and nothing
// else of ours, so that any store can fill it and any process, even the
// WASM UI, can run it.
func TestDependencies(t *testing.T) {
	for _, env := range [][]string{nil, {"CGO_ENABLED=0"}, {"GOOS=js", "GOARCH=wasm"}} {
		cmd := exec.Command("go", "list", "-tags", "sqlite_fts5", "-deps", "-f", `{{.ImportPath}} {{len .CgoFiles}}`, "portalstudio/backend/audience")
		cmd.Env = append(cmd.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list %v: %v\n%s", env, err, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			pkg, cgoFiles, _ := strings.Cut(line, " ")
			if !allowed(pkg) {
				t.Errorf("%v: the engine depends on %s; it may use the standard library, roaring and the domain only", env, pkg)
			}
			if cgoFiles != "0" {
				t.Errorf("%v: %s, a dependency of the engine, uses cgo", env, pkg)
			}
		}
	}
}

// allowed says whether the engine may depend on pkg.
func allowed(pkg string) bool {
	switch {
	case pkg == "C", pkg == "runtime/cgo", strings.HasPrefix(pkg, "database/"):
		return false
	case !strings.Contains(strings.SplitN(pkg, "/", 2)[0], "."):
		// The standard library, or ours.
		return !strings.HasPrefix(pkg, "portalstudio/") || pkg == "portalstudio/backend/audience" || pkg == "portalstudio/backend/portal"
	}
	for _, p := range []string{"github.com/RoaringBitmap/roaring/", "github.com/bits-and-blooms/bitset", "golang.org/x/sys/cpu", "golang.org/x/text/"} {
		if strings.HasPrefix(pkg, p) {
			return true
		}
	}
	return false
}
