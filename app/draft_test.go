package app_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSaveDraft: the editor's save answers a document that is not valid
// yet with its problems and saves nothing; a valid one is saved.
func TestSaveDraft(t *testing.T) {
	svc, b := newWorkspace(t, 20)
	before, err := b.Settings("draft")
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.SaveDraft(json.RawMessage(`{"access": {"rule": {"attribute": "user.nope", "operator": "equals", "value": "x"}}}`))
	if err != nil {
		t.Fatalf("an invalid document is an answer, not an error: %v", err)
	}
	if res.Settings != nil || len(res.Problems) == 0 || res.Problems[0].Path != "access.rule.attribute" {
		t.Errorf("answer %+v: want the problem at access.rule.attribute and no settings", res)
	}
	after, _ := svc.Settings(t.Context(), "draft")
	if string(after.Canonical()) != string(before.Canonical()) {
		t.Error("the invalid document changed the draft")
	}
	doc := strings.Replace(string(before.Canonical()), `"preview_column": true`, `"preview_column": false`, 1)
	if doc == string(before.Canonical()) {
		t.Fatalf("the demo draft has no preview_column true: %s", doc)
	}
	res, err = b.SaveDraft(json.RawMessage(doc))
	if err != nil || res.Settings == nil || res.Settings.PreviewColumn || len(res.Problems) != 0 {
		t.Fatalf("valid document: %+v %v", res, err)
	}
	if after, _ := svc.Settings(t.Context(), "draft"); after.PreviewColumn {
		t.Error("the valid document was not saved")
	}
}
