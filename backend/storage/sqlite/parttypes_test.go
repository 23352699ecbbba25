package sqlite_test

import (
	"context"
	"encoding/hex"
	"path/filepath"
	"testing"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// partTypesTicket is a shared Customer ticket of u1 whose parts have
// mixed-case and unknown types, each with its own word.
func partTypesTicket() []portal.Record {
	tk := &portal.Ticket{ID: "t1", TicketID: "1", Title: "Printer", Category: portal.CategoryCustomer, IsShared: true,
		ContactIDs: []string{"u1"}, CreatedAt: t0, UpdatedAt: t0}
	for i, p := range [][2]string{{"Note", "capnote"}, {"NOTE", "shoutnote"}, {"comment", "plaincomment"}, {"Comment", "capcomment"},
		{"quick_reply", "quickreply"}, {"xyz", "xyzsecret"}} {
		tk.Parts = append(tk.Parts, portal.Part{ID: string(rune('a' + i)), PartType: p[0], Body: "<p>" + p[1] + "</p>", CreatedAt: t0})
	}
	return []portal.Record{{User: &portal.User{ID: "u1"}}, {Ticket: tk}}
}

// partFound reports whether u1's search for word finds t1.
func partFound(t *testing.T, ws *sqlite.Workspace, word string) bool {
	t.Helper()
	page, err := ws.Search(context.Background(), portal.SearchQuery{UserID: "u1", Tab: portal.TabMine, Terms: portal.SearchTerms(word), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.IDs) > 0
}

var partTypeWords = map[string]bool{"capnote": false, "shoutnote": false, "plaincomment": true, "capcomment": true, "quickreply": true, "xyzsecret": false}

// TestSearchIndexesOnlyCustomerParts: the search index holds the words of
// the parts customers see (an allowlist, without case), not those of
// notes spelled "Note" or of unknown types; the import counts the latter.
func TestSearchIndexesOnlyCustomerParts(t *testing.T) {
	ws := MustOpen(t)
	rep := MustImport(t, ws, partTypesTicket()...)
	if len(rep.HiddenPartTypes) != 1 || rep.HiddenPartTypes["xyz"] != 1 {
		t.Errorf("import report: hidden part types %v, want xyz (1)", rep.HiddenPartTypes)
	}
	for word, shown := range partTypeWords {
		if got := partFound(t, ws, word); got != shown {
			t.Errorf("search %q: found %v, want %v", word, got, shown)
		}
	}
}

// TestSearchIndexUpgradeDropsHiddenParts: a workspace indexed before the
// allowlist (its index holds the words of a "Note" and an "xyz" part) is
// indexed again on open, and those words are found no more.
func TestSearchIndexUpgradeDropsHiddenParts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ws.db")
	ws, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	MustImport(t, ws, partTypesTicket()...)
	// The index as the denylist built it: every part's words but notes
	// spelled "note".
	vis := "u" + hex.EncodeToString([]byte("u1"))
	ws = reopenAfter(t, ws, path, sqlite.Options{},
		`DELETE FROM ticket_fts WHERE rowid = (SELECT seq FROM tickets WHERE id = 't1')`,
		`INSERT INTO ticket_fts (rowid, body, vis) SELECT seq, 'printer capnote shoutnote plaincomment capcomment quickreply xyzsecret', '`+vis+`' FROM tickets WHERE id = 't1'`,
		`DELETE FROM migrations WHERE name = 'migrations/007_search_allowlist.sql'`)
	for word, shown := range partTypeWords {
		if got := partFound(t, ws, word); got != shown {
			t.Errorf("after the upgrade, search %q: found %v, want %v", word, got, shown)
		}
	}
}
