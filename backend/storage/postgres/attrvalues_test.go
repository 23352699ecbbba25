package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
)

// TestAttributeValues: the PostgreSQL store's suggested values (a GROUP
// BY over the folded column or the custom rows) are the SQLite store's
// (a table refilled on import): for every text attribute of a demo
// dataset with spellings that fold alike, for several prefixes, before
// and after a second import; the same answers to bad requests; and an
// attribute with too many distinct values lists none.
func TestAttributeValues(t *testing.T) {
	ctx := context.Background()
	pg, _ := openPG(t)
	lite := openSQLite(t)
	str := portal.StringValue
	recs := []portal.Record{
		{Company: &portal.Company{ID: "c1", Name: "Cobaltyard Games", Plan: "Pro", Custom: map[string]portal.Value{"sla_tier": str("Premier")}}},
		{Company: &portal.Company{ID: "c2", Name: "Globex", Plan: "Pro", Custom: map[string]portal.Value{"sla_tier": str("Standard")}}},
		{Company: &portal.Company{ID: "c3", Name: "Initech", Plan: "Premium", Custom: map[string]portal.Value{"sla_tier": str("Standard")}}},
		{Company: &portal.Company{ID: "c4", Name: "Umbrella", Plan: "pro"}},
		{User: &portal.User{ID: "u1", Role: "Éditeur", Custom: map[string]portal.Value{"department": str("IT")}}},
		{User: &portal.User{ID: "u2", Role: "editeur", Custom: map[string]portal.Value{"department": str("Finance")}}},
		{User: &portal.User{ID: "u3", Role: "editeur", Custom: map[string]portal.Value{"department": str("it")}}},
		{User: &portal.User{ID: "u4", Role: "Admin", Custom: map[string]portal.Value{"department": str("Engineering")}}},
		{User: &portal.User{ID: "u5"}},
	}
	demo.Generate(demo.Options{Users: 300, Companies: 30, Tickets: -1, Seed: 3}, func(r portal.Record) error {
		recs = append(recs, r)
		return nil
	})
	second := []portal.Record{
		{Company: &portal.Company{ID: "c3", Name: "Initech", Plan: "Pro"}},
		{Company: &portal.Company{ID: "c5", Name: "Hooli", Plan: "Enterprise", Custom: map[string]portal.Value{"sla_tier": str("Premier")}}},
	}
	for i := 0; i <= portal.MaxValueSuggestions; i++ {
		second = append(second, portal.Record{User: &portal.User{ID: fmt.Sprint("b", i), Custom: map[string]portal.Value{"badge": str(fmt.Sprint("B-", i))}}})
	}
	// folded compares values by their folded form: a value whose holders
	// spell it several ways shows one of them, each store its own pick.
	folded := func(vs []portal.ValueCount) []portal.ValueCount {
		out := make([]portal.ValueCount, len(vs))
		for i, v := range vs {
			out[i] = portal.ValueCount{Value: portal.Fold(v.Value), Count: v.Count}
		}
		return out
	}
	compare := func(stage string) {
		t.Helper()
		schema, err := pg.Schema(ctx)
		if err != nil {
			t.Fatal(err)
		}
		compared := 0
		for _, a := range schema.Attributes() {
			for _, prefix := range []string{"", "p", "PRE", "É", "i", "b-1", "zzz"} {
				for _, limit := range []int{1, 3, 100} {
					want, errA := lite.AttributeValues(ctx, a.Name, prefix, limit)
					got, errB := pg.AttributeValues(ctx, a.Name, prefix, limit)
					if portal.ErrorCode(errA) != portal.ErrorCode(errB) {
						t.Fatalf("%s: %s %q: sqlite %v, postgres %v", stage, a.Name, prefix, errA, errB)
					}
					if diff := cmp.Diff(folded(want), folded(got)); diff != "" {
						t.Fatalf("%s: %s %q limit %d differs (-sqlite +postgres):\n%s", stage, a.Name, prefix, limit, diff)
					}
					compared += len(got)
				}
			}
		}
		if compared == 0 {
			t.Fatalf("%s: no values compared", stage)
		}
	}
	for _, s := range []store{lite, pg} {
		if _, err := s.Import(ctx, source(recs), portal.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	compare("first import")
	if got, err := pg.AttributeValues(ctx, "user.role", "éd", 10); err != nil || len(got) != 1 || portal.Fold(got[0].Value) != "editeur" || got[0].Count != 3 {
		t.Fatalf("user.role éd: %v %v, want editeur held by 3", got, err)
	}
	premier := func() int {
		t.Helper()
		got, err := pg.AttributeValues(ctx, "company.custom.sla_tier", "premier", 10)
		if err != nil || len(got) != 1 {
			t.Fatalf("company.custom.sla_tier premier: %v %v, want one value", got, err)
		}
		return got[0].Count
	}
	before := premier()
	for _, s := range []store{lite, pg} {
		if _, err := s.Import(ctx, source(second), portal.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	compare("second import")
	if after := premier(); after != before+1 {
		t.Fatalf("company.custom.sla_tier Premier: held by %d, then %d after one more company; want one more", before, after)
	}
	if got, err := pg.AttributeValues(ctx, "user.custom.badge", "", 10); err != nil || len(got) != 0 {
		t.Fatalf("user.custom.badge: %v %v, want none (more than %d distinct values)", got, err, portal.MaxValueSuggestions)
	}
	for _, c := range []struct {
		attr  string
		limit int
		want  string
	}{
		{"company.nope", 10, `no attribute "company.nope"`},
		{"company.size", 10, "only text attributes"},
		{"company.plan", 0, "1 to 100"},
		{"company.plan", 101, "1 to 100"},
	} {
		_, err := pg.AttributeValues(ctx, c.attr, "", c.limit)
		if portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(portal.ErrorMessage(err), c.want) {
			t.Errorf("%s limit %d: %v, want EINVALID saying %q", c.attr, c.limit, err, c.want)
		}
	}
}
