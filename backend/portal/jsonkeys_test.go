package portal_test

import (
	"reflect"
	"testing"

	"portalstudio/backend/portal"
)

func TestUnionKeys(t *testing.T) {
	got := portal.UnionKeys(map[string]any{"b": 1, "a": 2}, nil, map[string]any{"c": 3, "a": 4})
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("UnionKeys = %q, want %q", got, want)
	}
	if got := portal.UnionKeys(); len(got) != 0 {
		t.Errorf("UnionKeys() = %q, want none", got)
	}
}
