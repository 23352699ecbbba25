package remote_test

import (
	"reflect"
	"testing"

	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
)

// A merge says each side's changes in sentences beside its line diff.
func TestThreeWaySummaries(t *testing.T) {
	base := portal.DefaultSettings()
	base.Access.Rule = portal.AnyOf(portal.Cond("company.plan", portal.OpEquals, "Pro"))
	live := base.Clone()
	live.Access.Rule = portal.AnyOf(portal.Cond("company.plan", portal.OpEquals, "Pro"), portal.Cond("user.custom.department", portal.OpEquals, "IT"))
	draft := base.Clone()
	draft.PreviewColumn = !base.PreviewColumn
	m, err := remote.ThreeWay(base, live, draft, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Access: now also users whose department is IT."}; !reflect.DeepEqual(m.LiveSummary, want) {
		t.Errorf("live summary %q, want %q", m.LiveSummary, want)
	}
	if want := []string{"Preview column: turned off."}; !reflect.DeepEqual(m.DraftSummary, want) {
		t.Errorf("draft summary %q, want %q", m.DraftSummary, want)
	}
	same, err := remote.ThreeWay(base, base, base, "")
	if err != nil {
		t.Fatal(err)
	}
	if same.LiveSummary == nil || len(same.LiveSummary) != 0 || same.DraftSummary == nil || len(same.DraftSummary) != 0 {
		t.Errorf("no change: summaries %q, %q (want empty lists)", same.LiveSummary, same.DraftSummary)
	}
}
