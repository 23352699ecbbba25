package remote_test

import (
	"strings"
	"testing"

	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
	"portalstudio/backend/wire"
)

// settings builds a valid settings document by editing the defaults.
func settings(t *testing.T, version int, edit func(st *portal.Settings)) *portal.Settings {
	t.Helper()
	st := portal.DefaultSettings()
	st.Version = version
	if edit != nil {
		edit(st)
	}
	return st
}

func rule(t *testing.T, doc string) *portal.Rule {
	t.Helper()
	var st portal.Settings
	if err := st.UnmarshalJSON([]byte(`{"access": {"rule": ` + doc + `}}`)); err != nil {
		t.Fatal(err)
	}
	return st.Access.Rule
}

func paths[T any](items []T, path func(T) string) string {
	var out []string
	for _, it := range items {
		out = append(out, path(it))
	}
	return strings.Join(out, ",")
}

func TestThreeWay(t *testing.T) {
	everyone := func(st *portal.Settings) { st.Access.Rule = rule(t, `{"all": []}`) }
	leads := func(st *portal.Settings) {
		st.Access.Rule = rule(t, `{"all": [{"attribute": "user.role", "operator": "equals", "value": "lead"}]}`)
	}
	base := settings(t, 3, everyone)
	tests := []struct {
		name        string
		live, draft func(st *portal.Settings)
		take        string
		changes     string // paths of the changes taken
		conflicts   string
		want        func(st *portal.Settings) // the merged document is base with this
	}{
		{name: "NoChange", want: func(*portal.Settings) {}},
		{name: "LiveOnly", live: func(st *portal.Settings) { st.PreviewColumn = false }, changes: "preview_column",
			want: func(st *portal.Settings) { st.PreviewColumn = false }},
		{name: "DraftOnly", draft: func(st *portal.Settings) { st.Messenger.TicketsSpace = true }, changes: "messenger.tickets_space",
			want: func(st *portal.Settings) { st.Messenger.TicketsSpace = true }},
		{name: "Disjoint",
			live:    func(st *portal.Settings) { st.PreviewColumn = false; st.Visibility.RestrictToOwn = true },
			draft:   func(st *portal.Settings) { st.Messenger.TicketsSpace = true; st.HelpCenter.Live = false },
			changes: "help_center.live,messenger.tickets_space,preview_column,visibility.restrict_to_own",
			want: func(st *portal.Settings) {
				st.PreviewColumn, st.Visibility.RestrictToOwn, st.Messenger.TicketsSpace, st.HelpCenter.Live = false, true, true, false
			}},
		{name: "SameChangeBothSides",
			live:  func(st *portal.Settings) { st.PreviewColumn = false },
			draft: func(st *portal.Settings) { st.PreviewColumn = false },
			want:  func(st *portal.Settings) { st.PreviewColumn = false }},
		{name: "ConflictUnresolved",
			live:      func(st *portal.Settings) { st.Access.Rule = nil; st.PreviewColumn = false },
			draft:     leads,
			changes:   "preview_column",
			conflicts: "access.rule"},
		{name: "ConflictTakeDraft",
			live:      func(st *portal.Settings) { st.Access.Rule = nil; st.PreviewColumn = false },
			draft:     leads,
			take:      remote.TakeDraft,
			changes:   "preview_column",
			conflicts: "access.rule",
			want:      func(st *portal.Settings) { leads(st); st.PreviewColumn = false }},
		{name: "ConflictTakeLive",
			live:      func(st *portal.Settings) { st.Access.Rule = nil },
			draft:     func(st *portal.Settings) { leads(st); st.Messenger.TicketsSpace = true },
			take:      remote.TakeLive,
			changes:   "messenger.tickets_space",
			conflicts: "access.rule",
			want:      func(st *portal.Settings) { st.Access.Rule = nil; st.Messenger.TicketsSpace = true }},
		// A rule is one value: edits to different conditions of one rule
		// conflict rather than mix.
		{name: "RuleIsOneValue",
			live: func(st *portal.Settings) {
				st.Visibility.Conditions = rule(t, `{"all": [{"attribute": "user.role", "operator": "equals", "value": "a"}]}`)
			},
			draft: func(st *portal.Settings) {
				st.Visibility.Conditions = rule(t, `{"any": [{"attribute": "user.role", "operator": "equals", "value": "b"}]}`)
			},
			conflicts: "visibility.conditions"},
		{name: "SectionsAreOneList",
			live: func(st *portal.Settings) { st.HelpCenter.Sections = st.HelpCenter.Sections[:1] },
			draft: func(st *portal.Settings) {
				st.HelpCenter.Sections[0], st.HelpCenter.Sections[1] = st.HelpCenter.Sections[1], st.HelpCenter.Sections[0]
			},
			conflicts: "help_center.sections"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := settings(t, 5, func(st *portal.Settings) {
				everyone(st)
				if tt.live != nil {
					tt.live(st)
				}
			})
			draft := settings(t, 3, func(st *portal.Settings) {
				everyone(st)
				if tt.draft != nil {
					tt.draft(st)
				}
			})
			m, err := remote.ThreeWay(base, live, draft, tt.take)
			if err != nil {
				t.Fatal(err)
			}
			if got := paths(m.Changes, func(c wire.SyncChange) string { return c.Path }); got != tt.changes {
				t.Errorf("changes %s, want %s", got, tt.changes)
			}
			if got := paths(m.Conflicts, func(c wire.SyncConflict) string { return c.Path }); got != tt.conflicts {
				t.Errorf("conflicts %s, want %s", got, tt.conflicts)
			}
			if tt.want == nil {
				if m.Merged != nil {
					t.Fatalf("an unresolved conflict gave a merged document")
				}
				return
			}
			want := settings(t, 0, func(st *portal.Settings) { everyone(st); tt.want(st) })
			if m.Merged == nil || !m.Merged.Equal(want) {
				t.Fatalf("merged:\n%s\nwant:\n%s", canon(m.Merged), want.Canonical())
			}
			if (tt.live != nil) != (m.LiveDiff != "") || (tt.draft != nil) != (m.DraftDiff != "") {
				t.Errorf("diffs: live %q, draft %q", m.LiveDiff, m.DraftDiff)
			}
		})
	}
	t.Run("Diffs", func(t *testing.T) {
		live := settings(t, 5, func(st *portal.Settings) { everyone(st); st.PreviewColumn = false })
		draft := settings(t, 3, func(st *portal.Settings) { everyone(st); st.Messenger.TicketsSpace = true })
		m, _ := remote.ThreeWay(base, live, draft, "")
		if !strings.Contains(m.LiveDiff, "--- base (version 3)\n+++ live (version 5)") || !strings.Contains(m.LiveDiff, `-  "preview_column": true,`) ||
			!strings.Contains(m.LiveDiff, `+  "preview_column": false,`) {
			t.Errorf("live diff:\n%s", m.LiveDiff)
		}
		if !strings.Contains(m.DraftDiff, `+    "tickets_space": true`) || strings.Contains(m.DraftDiff, "preview_column\": false") {
			t.Errorf("draft diff:\n%s", m.DraftDiff)
		}
	})
	t.Run("BadTake", func(t *testing.T) {
		if _, err := remote.ThreeWay(base, base, base, "mine"); portal.ErrorCode(err) != portal.EINVALID {
			t.Fatalf("take mine: %v", err)
		}
	})
}

func canon(st *portal.Settings) string {
	if st == nil {
		return "<nil>"
	}
	return string(st.Canonical())
}
