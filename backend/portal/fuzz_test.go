package portal_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"portalstudio/backend/portal"
)

// fuzzSchema is the schema the fuzzers validate against: the standard
// attributes and one custom attribute of each kind per scope.
func fuzzSchema() *portal.Schema {
	var custom []portal.Attribute
	for _, scope := range []portal.Scope{portal.ScopeUser, portal.ScopeCompany} {
		custom = append(custom,
			portal.Attribute{Scope: scope, Field: "seats", Kind: portal.KindNumber},
			portal.Attribute{Scope: scope, Field: "tier", Kind: portal.KindString},
			portal.Attribute{Scope: scope, Field: "is_admin", Kind: portal.KindBoolean},
			portal.Attribute{Scope: scope, Field: "renewal_at", Kind: portal.KindDate})
	}
	return portal.NewSchema(custom)
}

var ruleSeeds = []string{
	`null`, `{"all": []}`, `{"any": []}`,
	`{"all": [{"attribute": "user.email", "operator": "contains", "value": "examply.com"}, {"any": [{"attribute": "company.plan", "operator": "equals", "value": "Pro"}, {"attribute": "company.custom.seats", "operator": "greater_than", "value": 10}]}]}`,
	`{"attribute": "user.custom.is_admin", "operator": "equals", "value": false}`,
	`{"attribute": "user.last_seen_at", "operator": "less_than_days_ago", "value": 30}`,
	`{"attribute": "company.custom.renewal_at", "operator": "is_not_set"}`,
	`{"attribute": "company.size", "operator": "less_than", "value": 1e308}`,
	`{"attribute": "company.size", "operator": "equals", "value": 0.1}`,
	`{"attribute": "user.name", "operator": "starts_with", "value": "\u00c9lodie"}`,
	`{"all": [{"all": [{"all": [{"any": [null]}]}]}]}`,
	`{"all": [], "any": []}`, `{}`, `[]`, `"x"`, `{"attribute": 1}`,
	`{"attribute": "user.email", "operator": "contains", "value": {"a": 1}}`,
	`{"attribute": "user.email", "operator": "contains", "value": "x", "extra": 1}`,
	`{"attribute": "user.custom.seats", "operator": "greater_than", "value": 1e999}`,
}

// FuzzParseRule: the rule reader and validator never panic, and a rule it
// accepts writes back to canonical JSON that reads again to the same rule
// (and the same bytes).
func FuzzParseRule(f *testing.F) {
	for _, s := range ruleSeeds {
		f.Add([]byte(s))
	}
	schema := fuzzSchema()
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := portal.ParseRule(b, schema, "rule")
		var loose portal.Rule
		_ = loose.UnmarshalJSON(b) // never panics either
		if err != nil {
			var pe *portal.Error
			if !asError(err, &pe) || pe.Code != portal.EINVALID {
				t.Fatalf("ParseRule error is not EINVALID: %T %v", err, err)
			}
			return
		}
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("marshal an accepted rule: %v", err)
		}
		r2, err := portal.ParseRule(out, schema, "rule")
		if err != nil {
			t.Fatalf("the canonical form of an accepted rule is refused: %v\n in: %s\nout: %s", err, b, out)
		}
		out2, _ := json.Marshal(r2)
		if !bytes.Equal(out, out2) {
			t.Fatalf("not canonical:\n%s\n%s", out, out2)
		}
		if r.String() != r2.String() {
			t.Fatalf("re-read rule differs: %s / %s", r, r2)
		}
	})
}

func asError(err error, pe **portal.Error) bool {
	e, ok := err.(*portal.Error)
	*pe = e
	return ok
}

// FuzzParseSettings: the settings document reader never panics; a document
// it accepts is canonical after one round (reading its canonical JSON
// again gives the same bytes).
func FuzzParseSettings(f *testing.F) {
	f.Add([]byte(portal.DefaultSettings().Canonical()))
	f.Add([]byte(`{"portal": {"enabled": true}, "identity_verification": true, "access": {"rule": {"all": []}}, "visibility": {"restrict_to_own": true, "conditions": null}}`))
	f.Add([]byte(`{"version": 7, "portal": {"enabled": false, "url": "https://help.example.com/portal/acme/"}, "access": {"rule": {"all": [{"attribute": "user.email", "operator": "contains", "value": "examply.com"}]}}, "visibility": {"restrict_to_own": true, "conditions": {"any": []}}, "preview_column": false, "help_center": {"live": true, "sections": [{"id": "getting-started", "title": "Getting started", "kind": "collection", "visible": true}, {"id": "customer-portal", "title": "Customer portal", "kind": "customer_portal", "visible": false}]}, "messenger": {"tickets_space": true}, "identity_verification": true}`))
	f.Add([]byte(`{"version": -1, "unknown": 1, "portal": [], "help_center": {"sections": [{"id": ""}, {"id": ""}]}}`))
	f.Add([]byte(`{"version": 99999999999999999999}`))
	f.Add([]byte(`[]`))
	schema := fuzzSchema()
	env := portal.Env{Schema: schema, CustomerTicketTypes: 1, NewPortalURL: "http://127.0.0.1:8080/portal/acme/"}
	f.Fuzz(func(t *testing.T, b []byte) {
		var loose portal.Settings
		_ = loose.UnmarshalJSON(b)
		st, err := portal.ParseSettings(b, env)
		if err != nil {
			if _, ok := err.(*portal.Error); !ok {
				t.Fatalf("ParseSettings error is not a *portal.Error: %T %v", err, err)
			}
			return
		}
		canon := st.Canonical()
		st2, err := portal.ParseSettings(canon, env)
		if err != nil {
			t.Fatalf("the canonical form of an accepted document is refused: %v\n%s", err, canon)
		}
		if c2 := st2.Canonical(); !bytes.Equal(canon, c2) {
			t.Fatalf("not canonical after one round:\n%s\n%s", canon, c2)
		}
		if !st.Equal(st2) {
			t.Fatal("re-read settings differ")
		}
	})
}

// TestRuleUnmarshalNull: encoding/json hands JSON null to a Rule held by
// value; that is a no-op, never a panic (found by FuzzParseRule).
func TestRuleUnmarshalNull(t *testing.T) {
	var v struct {
		R portal.Rule `json:"r"`
	}
	if err := json.Unmarshal([]byte(`{"r": null}`), &v); err != nil {
		t.Fatal(err)
	}
	var rs []portal.Rule
	if err := json.Unmarshal([]byte(`[null, {"all": []}]`), &rs); err != nil || len(rs) != 2 || !rs[1].IsEveryone() {
		t.Fatalf("%v %v", rs, err)
	}
}
