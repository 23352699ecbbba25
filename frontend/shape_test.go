package frontend

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestComponentsOnlyPostActions keeps the go-app shape: outside the action
// files (actions-*.go) nothing calls the backend or changes a state; the
// components render state and post actions. The state helpers also wait
// for the UI goroutine, so a component calling one would hang the page.
func TestComponentsOnlyPostActions(t *testing.T) {
	forbidden := map[string]bool{
		"update": true, "updateLatest": true, "ifLatest": true, "onUI": true, "startRequest": true,
		"applyEdit": true, "handleEdit": true,
		"bridge": true, "portalAPI": true, "save": true, "refresh": true, "flushDraft": true, "pushDraft": true,
		"SetState": true, "DelState": true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasPrefix(name, "actions-") || strings.HasSuffix(name, "_test.go") || name == "bridge.go" {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var fn string
			switch c := call.Fun.(type) {
			case *ast.Ident:
				fn = c.Name
			case *ast.IndexExpr: // update[S](...)
				if id, ok := c.X.(*ast.Ident); ok {
					fn = id.Name
				}
			case *ast.SelectorExpr:
				fn = c.Sel.Name
			}
			if forbidden[fn] || strings.HasPrefix(fn, "handle") {
				t.Errorf("%s: %s is called outside the action handlers: post an action (ctx.NewActionWithValue) handled in an actions-*.go file", fset.Position(call.Pos()), fn)
			}
			return true
		})
	}
}
