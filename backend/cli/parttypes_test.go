package cli_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// partTypesExport is an Intercom export whose one shared Customer ticket
// has parts of mixed-case and unknown types, each with its own word.
func partTypesExport(t *testing.T) string {
	t.Helper()
	parts := []any{}
	for i, p := range partCases {
		parts = append(parts, map[string]any{"type": "ticket_part", "id": fmt.Sprint("p", i), "part_type": p.typ,
			"body": "<p>" + p.word + "</p>", "created_at": 1734537975 + i, "author": map[string]any{"type": "admin", "id": "a1", "name": "Agent"}})
	}
	recs := []map[string]any{
		{"type": "contact", "id": "u1", "role": "user", "email": "ann@examply.com", "name": "Ann", "created_at": 1734000000},
		{"type": "ticket", "id": "t1", "ticket_id": "101",
			"ticket_attributes": map[string]any{"_default_title_": "Printer", "_default_description_": "It smokes"},
			"ticket_state":      map[string]any{"type": "ticket_state", "category": "submitted", "external_label": "Submitted"},
			"ticket_type":       map[string]any{"type": "ticket_type", "id": "ty", "name": "Bug", "category": "Customer"},
			"contacts":          map[string]any{"type": "contact.list", "contacts": []any{map[string]any{"type": "contact", "id": "u1"}}},
			"created_at":        1734000000, "updated_at": 1734537999, "open": true, "category": "Customer", "is_shared": true,
			"ticket_parts": map[string]any{"type": "ticket_part.list", "ticket_parts": parts}},
	}
	var b strings.Builder
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return writeFile(t, "export.jsonl", b.String())
}

// partCases: which part types a customer sees. Notes in any case never;
// a type the product does not know never either (an allowlist, not a
// denylist of notes).
var partCases = []struct {
	typ, word string
	shown     bool
}{
	{"Note", "capnote", false},
	{"NOTE", "shoutnote", false},
	{"note", "plainnote", false},
	{"comment", "plaincomment", true},
	{"Comment", "capcomment", true},
	{"quick_reply", "quickreplyword", true},
	{"xyz", "xyzsecret", false},
	{"xyz", "xyzagain", false},
	{"Internal_Escalation", "escalationsecret", false},
	{"assignment", "assignsecret", false},
}

// TestImportPartTypeAllowlist: an import of parts of unknown types keeps
// them but hides them from customers, and says so; search finds only the
// words of the parts customers see.
func TestImportPartTypeAllowlist(t *testing.T) {
	ws := t.TempDir() + "/ws.db"
	out := ok(t, "import", "--workspace", ws, partTypesExport(t))
	want := `3 conversation parts of unknown types were hidden from customers: "xyz" (2), "Internal_Escalation" (1).`
	if !strings.Contains(out, want) {
		t.Errorf("import report:\n%s\nwant the line %q", out, want)
	}
	var rep struct {
		Parts  int            `json:"parts"`
		Hidden map[string]int `json:"hidden_part_types"`
	}
	okJSON(t, &rep, "import", "--workspace", ws, partTypesExport(t))
	if rep.Parts != len(partCases) || rep.Hidden["xyz"] != 2 || rep.Hidden["Internal_Escalation"] != 1 || len(rep.Hidden) != 2 {
		t.Errorf("import --json: %+v; want all %d parts imported, xyz (2) and Internal_Escalation (1) hidden", rep, len(partCases))
	}
	apply(t, ws, func(doc map[string]any) {
		obj(doc, "portal")["enabled"] = true
		doc["identity_verification"] = true
		obj(doc, "access")["rule"] = everyone()
	})
	for _, c := range partCases {
		p := previewOf(t, ws, "ann@examply.com", "--search", c.word)
		if found := p.Total > 0; found != c.shown {
			t.Errorf("search %q (a part of type %q): found %v, want %v", c.word, c.typ, found, c.shown)
		}
	}
}
