package portal_test

import (
	"strings"
	"testing"

	"portalstudio/backend/portal"
)

// TestOperatorTable checks that every row of the operator table is
// complete: a label, at least one attribute type, a sentence for each
// type it applies to (and only those) when it holds and when it does
// not, each naming the attribute and, when it takes one, the value; a
// negative operator's twin is a positive operator of the same types.
func TestOperatorTable(t *testing.T) {
	seen := map[portal.Operator]bool{}
	for _, o := range portal.Operators() {
		if seen[o.Op] {
			t.Errorf("%s is in the table twice", o.Op)
		}
		seen[o.Op] = true
		if o.Label == "" || len(o.Kinds) == 0 {
			t.Errorf("%s: label %q, kinds %v", o.Op, o.Label, o.Kinds)
		}
		if len(o.Says) != len(o.Kinds) || len(o.Fails) != len(o.Kinds) {
			t.Errorf("%s: %d kinds but %d Says and %d Fails forms", o.Op, len(o.Kinds), len(o.Says), len(o.Fails))
		}
		for _, k := range o.Kinds {
			for _, form := range []string{o.Says[k], o.Fails[k]} {
				if !strings.Contains(form, "{attr}") {
					t.Errorf("%s on %s: %q does not name the attribute", o.Op, k, form)
				}
				wantValue := map[portal.ValueShape]string{portal.ValueTyped: "{value}", portal.ValueDays: "{days}"}[o.Value]
				if wantValue != "" && !strings.Contains(form, wantValue) {
					t.Errorf("%s on %s: %q does not say the value (%s)", o.Op, k, form, wantValue)
				}
				if o.Value == portal.ValueNone && strings.ContainsAny(form[len("{attr}"):], "{}") {
					t.Errorf("%s on %s: %q says a value the operator does not take", o.Op, k, form)
				}
			}
			if o.Says[k] == o.Fails[k] {
				t.Errorf("%s on %s: holds and fails read the same", o.Op, k)
			}
		}
		if o.Twin != "" {
			tw, ok := portal.LookupOperator(o.Twin)
			if !ok || tw.Twin != "" || strings.Join(kindNames(tw.Kinds), ",") != strings.Join(kindNames(o.Kinds), ",") {
				t.Errorf("%s: twin %s is not a positive operator of the same types", o.Op, o.Twin)
			}
			// The negation reads as the twin's sentences swapped.
			for _, k := range o.Kinds {
				if o.Says[k] != tw.Fails[k] || o.Fails[k] != tw.Says[k] {
					t.Errorf("%s on %s: its sentences are not %s's swapped", o.Op, k, o.Twin)
				}
			}
		}
	}
	for _, op := range []portal.Operator{portal.OpIsSet, portal.OpIsNotSet} {
		if l := op.Label(); l != map[portal.Operator]string{portal.OpIsSet: "has any value", portal.OpIsNotSet: "is unknown"}[op] {
			t.Errorf("%s is labelled %q", op, l)
		}
	}
	if portal.Operator("like").Label() != "like" {
		t.Errorf("an unknown operator is labelled by its name")
	}
}

func kindNames(ks []portal.ValueKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}
