package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

func str(s string) portal.Value { return portal.StringValue(s) }

func vc(v string, n int) portal.ValueCount { return portal.ValueCount{Value: v, Count: n} }

func TestAttributeValues(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	MustImport(t, ws,
		portal.Record{Company: &portal.Company{ID: "c1", Name: "Cobaltyard Games", Plan: "Pro", Custom: map[string]portal.Value{"sla_tier": str("Premier")}}},
		portal.Record{Company: &portal.Company{ID: "c2", Name: "Globex", Plan: "Pro", Custom: map[string]portal.Value{"sla_tier": str("Standard")}}},
		portal.Record{Company: &portal.Company{ID: "c3", Name: "Initech", Plan: "Premium", Custom: map[string]portal.Value{"sla_tier": str("Standard")}}},
		portal.Record{Company: &portal.Company{ID: "c4", Name: "Umbrella", Plan: "pro"}},
		portal.Record{User: &portal.User{ID: "u1", Role: "Éditeur", Custom: map[string]portal.Value{"department": str("IT")}}},
		portal.Record{User: &portal.User{ID: "u2", Role: "editeur", Custom: map[string]portal.Value{"department": str("Finance")}}},
		portal.Record{User: &portal.User{ID: "u3", Role: "editeur", Custom: map[string]portal.Value{"department": str("it")}}},
		portal.Record{User: &portal.User{ID: "u4", Role: "Admin", Custom: map[string]portal.Value{"department": str("Engineering")}}},
		portal.Record{User: &portal.User{ID: "u5"}},
	)
	values := func(attr, prefix string, limit int) []portal.ValueCount {
		t.Helper()
		got, err := ws.AttributeValues(ctx, attr, prefix, limit)
		if err != nil {
			t.Fatalf("AttributeValues(%s, %q): %v", attr, prefix, err)
		}
		return got
	}
	t.Run("OK", func(t *testing.T) {
		// Spellings that fold alike are one value, shown as most of
		// its holders spell it; most held first, then by value.
		for _, c := range []struct {
			attr, prefix string
			limit        int
			want         []portal.ValueCount
		}{
			{"company.plan", "", 10, []portal.ValueCount{vc("Pro", 3), vc("Premium", 1)}},
			{"company.plan", "PREM", 10, []portal.ValueCount{vc("Premium", 1)}},
			{"company.plan", "pro", 10, []portal.ValueCount{vc("Pro", 3)}},
			{"company.plan", "x", 10, []portal.ValueCount{}},
			{"company.plan", "", 1, []portal.ValueCount{vc("Pro", 3)}},
			{"company.custom.sla_tier", "", 10, []portal.ValueCount{vc("Standard", 2), vc("Premier", 1)}},
			{"company.name", "glo", 10, []portal.ValueCount{vc("Globex", 1)}},
			{"user.role", "ÉD", 10, []portal.ValueCount{vc("editeur", 3)}},
			{"user.role", "", 10, []portal.ValueCount{vc("editeur", 3), vc("Admin", 1)}},
			{"user.custom.department", "", 10, []portal.ValueCount{vc("IT", 2), vc("Engineering", 1), vc("Finance", 1)}},
			{"user.custom.department", "i", 10, []portal.ValueCount{vc("IT", 2)}},
		} {
			got := values(c.attr, c.prefix, c.limit)
			// The custom attributes keep one holder's spelling.
			if c.attr == "user.custom.department" && len(got) > 0 && got[0].Value == "it" {
				got[0].Value = "IT"
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s %q: %v, want %v", c.attr, c.prefix, got, c.want)
			}
		}
	})
	t.Run("FollowsImports", func(t *testing.T) {
		MustImport(t, ws,
			portal.Record{Company: &portal.Company{ID: "c3", Name: "Initech", Plan: "Pro"}},
			portal.Record{Company: &portal.Company{ID: "c5", Name: "Hooli", Plan: "Enterprise", Custom: map[string]portal.Value{"sla_tier": str("Premier")}}},
		)
		if got, want := values("company.plan", "", 10), []portal.ValueCount{vc("Pro", 4), vc("Enterprise", 1)}; !reflect.DeepEqual(got, want) {
			t.Errorf("after the second import: %v, want %v", got, want)
		}
		if got, want := values("company.custom.sla_tier", "", 10), []portal.ValueCount{vc("Premier", 2), vc("Standard", 1)}; !reflect.DeepEqual(got, want) {
			t.Errorf("after the second import: %v, want %v", got, want)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, c := range []struct {
			attr  string
			limit int
			want  string
		}{
			{"company.nope", 10, `no attribute "company.nope"`},
			{"company.size", 10, "only text attributes"},
			{"user.signed_up_at", 10, "only text attributes"},
			{"company.plan", 0, "1 to 100"},
			{"company.plan", 101, "1 to 100"},
		} {
			_, err := ws.AttributeValues(ctx, c.attr, "", c.limit)
			if portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(portal.ErrorMessage(err), c.want) {
				t.Errorf("%s limit %d: %v (%s), want EINVALID saying %q", c.attr, c.limit, err, portal.ErrorCode(err), c.want)
			}
		}
	})
}

// TestAttributeValuesTooMany: an attribute with more distinct values than
// are suggested (an email, a name) lists none; the others still do.
func TestAttributeValuesTooMany(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	var recs []portal.Record
	for i := 0; i <= portal.MaxValueSuggestions; i++ {
		role := "user"
		if i%3 == 0 {
			role = "admin"
		}
		recs = append(recs, portal.Record{User: &portal.User{ID: fmt.Sprint("u", i), Email: fmt.Sprintf("u%d@examply.com", i), Role: role,
			Custom: map[string]portal.Value{"badge": str(fmt.Sprint("B-", i)), "team": str(fmt.Sprint("T", i%4))}}})
	}
	MustImport(t, ws, recs...)
	for _, attr := range []string{"user.email", "user.id", "user.custom.badge"} {
		if got, err := ws.AttributeValues(ctx, attr, "", 10); err != nil || len(got) != 0 {
			t.Errorf("%s: %v %v, want no values (more than %d distinct)", attr, got, err, portal.MaxValueSuggestions)
		}
	}
	n := portal.MaxValueSuggestions + 1
	if got, err := ws.AttributeValues(ctx, "user.role", "", 10); err != nil || !reflect.DeepEqual(got, []portal.ValueCount{vc("user", n-(n+2)/3), vc("admin", (n+2)/3)}) {
		t.Errorf("user.role: %v %v", got, err)
	}
	if got, err := ws.AttributeValues(ctx, "user.custom.team", "t", 10); err != nil || len(got) != 4 {
		t.Errorf("user.custom.team: %v %v, want its 4 values", got, err)
	}
}

// TestAttributeValuesMatchData compares the suggested values of every
// text attribute with a count made in Go over the very records imported,
// on a random demo dataset, for random prefixes.
func TestAttributeValuesMatchData(t *testing.T) {
	ctx := context.Background()
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(uint64(seed), 7))
	ws := MustOpen(t)
	var recs []portal.Record
	if err := demo.Generate(demo.Options{Users: 400, Companies: 40, Tickets: -1, Seed: seed}, func(rec portal.Record) error {
		if rec.Ticket == nil {
			recs = append(recs, rec)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	MustImport(t, ws, recs...)
	schema, err := ws.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range schema.Attributes() {
		if a.Kind != portal.KindString {
			continue
		}
		// The holders of each folded value, from the records.
		want := map[string]int{}
		for _, rec := range recs {
			var v portal.Value
			switch {
			case rec.User != nil && a.Scope == portal.ScopeUser:
				v = portal.UserAttr(rec.User, a)
			case rec.Company != nil && a.Scope == portal.ScopeCompany:
				v = portal.CompanyAttr(rec.Company, a)
			default:
				continue
			}
			if v.Kind == portal.KindString && portal.Fold(v.Str) != "" {
				want[portal.Fold(v.Str)]++
			}
		}
		if len(want) > portal.MaxValueSuggestions {
			continue
		}
		folds := make([]string, 0, len(want))
		for f := range want {
			folds = append(folds, f)
		}
		sort.Strings(folds)
		prefixes := []string{""}
		for range 3 {
			if len(folds) > 0 {
				f := []rune(folds[r.IntN(len(folds))])
				prefixes = append(prefixes, strings.ToUpper(string(f[:1+r.IntN(len(f))])))
			}
		}
		for _, p := range prefixes {
			got, err := ws.AttributeValues(ctx, a.Name, p, 100)
			if err != nil {
				t.Fatal(err)
			}
			var exp []portal.ValueCount
			for f, n := range want {
				if strings.HasPrefix(f, portal.Fold(p)) {
					exp = append(exp, portal.ValueCount{Value: f, Count: n})
				}
			}
			sort.Slice(exp, func(i, j int) bool {
				if exp[i].Count != exp[j].Count {
					return exp[i].Count > exp[j].Count
				}
				return exp[i].Value < exp[j].Value
			})
			if len(exp) > 100 {
				exp = exp[:100]
			}
			gotFolded := make([]portal.ValueCount, len(got))
			for i, v := range got {
				gotFolded[i] = portal.ValueCount{Value: portal.Fold(v.Value), Count: v.Count}
			}
			if len(exp) == 0 {
				exp = []portal.ValueCount{}
			}
			if !reflect.DeepEqual(gotFolded, exp) {
				t.Errorf("%s %q:\n got  %v\n want %v", a.Name, p, gotFolded, exp)
			}
		}
	}
}

// TestAttributeValuesMigration: a workspace made before the suggestions
// (no attribute_values table, nor its helpers) gets them filled when it
// is opened.
func TestAttributeValuesMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	ws, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	MustImport(t, ws, portal.Record{Company: &portal.Company{ID: "c1", Plan: "Pro"}}, portal.Record{Company: &portal.Company{ID: "c2", Plan: "Pro"}})
	ws = reopenAfter(t, ws, path, sqlite.Options{},
		`DROP TABLE attribute_values`, `DROP TABLE attribute_spellings`, `DROP TABLE attribute_values_full`,
		`DELETE FROM migrations WHERE name IN ('migrations/011_attribute_values.sql', 'migrations/012_attribute_values_incremental.sql')`)
	if got, err := ws.AttributeValues(ctx, "company.plan", "", 5); err != nil || !reflect.DeepEqual(got, []portal.ValueCount{vc("Pro", 2)}) {
		t.Errorf("after the migration: %v %v", got, err)
	}
}
