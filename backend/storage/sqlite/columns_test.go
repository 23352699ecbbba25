package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// edgeDataset has the cases the columns must get right: users with no
// company, memberships naming a company that is not in the workspace,
// values of another kind than their attribute's (unset), empty strings
// (unset), a string that folds to "" (set), diacritics and case.
func edgeDataset() []portal.Record {
	num := func(f float64) portal.Value { return portal.Value{Kind: portal.KindNumber, Num: f} }
	return []portal.Record{
		{Company: &portal.Company{ID: "c1", Plan: "Pro", Size: f64(12), Custom: map[string]portal.Value{"seats": num(20), "region": portal.StringValue("EMEA")}}},
		// seats is a number (c1 came first): "lots" counts as unset.
		{Company: &portal.Company{ID: "c2", Plan: "Starter", Custom: map[string]portal.Value{"seats": portal.StringValue("lots"), "region": portal.StringValue("Amér")}}},
		{User: &portal.User{ID: "u1", Email: "Élodie@Examply.com", Name: "Straße", CompanyIDs: []string{"c1"},
			LastSeenAt: t0.Add(-24 * time.Hour), Custom: map[string]portal.Value{"seats": num(3)}}},
		// No company, no email, no name; seats of the wrong kind.
		{User: &portal.User{ID: "u2", Custom: map[string]portal.Value{"seats": portal.StringValue("many")}}},
		// Only a company that is not in the workspace.
		{User: &portal.User{ID: "u3", Email: "zoe@globex.io", Name: "Zoë", CompanyIDs: []string{"c-missing"}}},
		// Several companies, one missing.
		{User: &portal.User{ID: "u4", Email: "muller@examply.com", Name: "Müller", CompanyIDs: []string{"c2", "c-missing", "c1"},
			LastSeenAt: t0.Add(-100 * 24 * time.Hour), Custom: map[string]portal.Value{"seats": num(8)}}},
		// A name that folds to "": set, yet contains nothing but "".
		{User: &portal.User{ID: "u5", Name: "\u0301", CompanyIDs: []string{"c2"}}},
	}
}

func TestColumnsEdgeCases(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		rule *portal.Rule
		want []string
	}{
		{portal.Cond("user.email", portal.OpEquals, "elodie@examply.com"), []string{"u1"}},
		{portal.Cond("user.email", portal.OpEndsWith, "EXAMPLY.COM"), []string{"u1", "u4"}},
		{portal.Cond("user.name", portal.OpContains, "strasse"), []string{"u1"}},
		{portal.Cond("user.name", portal.OpStartsWith, "mull"), []string{"u4"}},
		{portal.Cond("user.name", portal.OpEquals, "zoe"), []string{"u3"}},
		{portal.Cond("user.email", portal.OpIsNotSet, nil), []string{"u2", "u5"}},
		{portal.Cond("user.name", portal.OpIsSet, nil), []string{"u1", "u3", "u4", "u5"}},
		// "Zoë" folds to "zoe", which contains "e".
		{portal.Cond("user.name", portal.OpNotContains, "e"), []string{"u2", "u5"}},
		{portal.Cond("company.plan", portal.OpEquals, "pro"), []string{"u1", "u4"}},
		{portal.Cond("company.plan", portal.OpNotEquals, "Pro"), []string{"u2", "u3", "u5"}},
		{portal.Cond("company.plan", portal.OpEquals, "starter"), []string{"u4", "u5"}},
		{portal.Cond("company.plan", portal.OpIsNotSet, nil), []string{"u2", "u3"}},
		{portal.Cond("company.size", portal.OpLessThan, 100.0), []string{"u1", "u4"}},
		{portal.Cond("company.custom.seats", portal.OpIsSet, nil), []string{"u1", "u4"}},
		{portal.Cond("company.custom.seats", portal.OpNotEquals, 20.0), []string{"u2", "u3", "u5"}},
		{portal.Cond("company.custom.region", portal.OpEquals, "amer"), []string{"u4", "u5"}},
		{portal.Cond("user.custom.seats", portal.OpIsSet, nil), []string{"u1", "u4"}},
		{portal.Cond("user.custom.seats", portal.OpLessThan, 5.0), []string{"u1"}},
		{portal.Cond("user.last_seen_at", portal.OpLessThanDaysAgo, 90.0), []string{"u1"}},
		{portal.Cond("user.last_seen_at", portal.OpMoreThanDaysAgo, 90.0), []string{"u4"}},
		{portal.AllOf(
			portal.Cond("company.plan", portal.OpEquals, "Pro"),
			portal.Cond("company.plan", portal.OpEquals, "Starter")), []string{"u4"}},
		{portal.AnyOf(
			portal.Cond("user.custom.seats", portal.OpGreaterThan, 5.0),
			portal.Cond("company.custom.region", portal.OpEquals, "EMEA")), []string{"u1", "u4"}},
		{portal.Everyone(), []string{"u1", "u2", "u3", "u4", "u5"}},
		{portal.AnyOf(), []string{}},
		{nil, []string{}},
	}
	forms := []struct {
		arena          bool
		layout         int
		noFixed, float bool
	}{{false, 0, false, false}, {true, 1, false, true}, {true, 2, true, false}, {false, 1, true, true}, {true, 2, false, false}}
	for _, f := range forms {
		t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
			defer sqlite.SetColumnForms(f.arena, f.layout, f.noFixed, f.float)()
			ws := MustOpen(t)
			MustImport(t, ws, edgeDataset()...)
			if err := ws.LoadColumns(ctx); err != nil {
				t.Fatal(err)
			}
			schema, err := ws.Schema(ctx)
			if err != nil {
				t.Fatal(err)
			}
			subjects := allSubjects(t, ws)
			for _, c := range cases {
				got, err := ws.AudienceIDsColumns(ctx, c.rule, schema, t0)
				if err != nil {
					t.Fatalf("%s: %v", c.rule, err)
				}
				if d := cmp.Diff(c.want, got); d != "" {
					t.Errorf("%s (-want +columns):\n%s", c.rule, d)
				}
				viaSQL, err := ws.AudienceIDsSetSQL(ctx, c.rule, schema, t0)
				if err != nil || !cmp.Equal(viaSQL, c.want) {
					t.Errorf("%s: the SQL set path gives %v, %v; want %v", c.rule, viaSQL, err, c.want)
				}
				goEval := []string{}
				for _, sub := range subjects {
					if portal.Eval(c.rule, schema, sub, t0) {
						goEval = append(goEval, sub.User.ID)
					}
				}
				if !cmp.Equal(goEval, c.want) {
					t.Errorf("%s: portal.Eval gives %v; want %v", c.rule, goEval, c.want)
				}
			}
			st := ws.ColumnStats()
			if !st.On || !st.Loaded || st.Users != 5 || st.Companies != 2 || st.Bytes <= 0 {
				t.Errorf("stats %+v: want on, loaded, 5 users, 2 companies", st)
			}
		})
	}
}

// A condition the columns cannot evaluate (an unknown attribute, a value
// of the wrong type) runs the SQL path, which says what is wrong.
func TestColumnsFallBackOnBadRules(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	MustImport(t, ws, edgeDataset()...)
	if err := ws.LoadColumns(ctx); err != nil {
		t.Fatal(err)
	}
	schema, err := ws.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*portal.Rule{
		portal.Cond("user.nope", portal.OpEquals, "x"),
		portal.Cond("user.email", portal.OpEquals, 3.0),
		portal.Cond("user.custom.seats", portal.OpContains, "x"),
	} {
		if _, err := ws.AudienceIDsColumns(ctx, r, schema, t0); err == nil {
			t.Errorf("%s: the columns answered", r)
		}
		if _, _, err := ws.Audience(ctx, r, schema, t0, 5); err == nil {
			t.Errorf("%s: Audience gave no error", r)
		}
	}
}

// One-shot use keeps the SQL path: nothing is loaded unless asked.
// UseColumns(true) loads in the background; UseColumns(false) drops them.
func TestColumnsPolicy(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	MustImport(t, ws, edgeDataset()...)
	schema, err := ws.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st := ws.ColumnStats(); st.On || st.Loaded {
		t.Fatalf("a freshly opened workspace uses columns: %+v", st)
	}
	if _, err := ws.AudienceIDsColumns(ctx, portal.Everyone(), schema, t0); err == nil {
		t.Fatal("the columns answered before they were loaded")
	}
	ws.UseColumns(true)
	if err := ws.WaitColumns(ctx); err != nil {
		t.Fatal(err)
	}
	if st := ws.ColumnStats(); !st.On || !st.Loaded || st.Err != "" {
		t.Fatalf("after UseColumns(true): %+v", st)
	}
	ids, err := ws.AudienceIDsColumns(ctx, portal.Cond("company.plan", portal.OpEquals, "Pro"), schema, t0)
	if err != nil || !cmp.Equal(ids, []string{"u1", "u4"}) {
		t.Fatalf("columns after a background load: %v, %v", ids, err)
	}
	// An import makes the columns stale at once; they are read again in
	// the background, and meanwhile the SQL path answers.
	MustImport(t, ws, portal.Record{Company: &portal.Company{ID: "c2", Plan: "Pro"}})
	n, _, err := ws.Audience(ctx, portal.Cond("company.plan", portal.OpEquals, "Pro"), schema, t0, 0)
	if err != nil || n != 3 {
		t.Fatalf("right after an import: %d, %v; want 3 (u1, u4, u5)", n, err)
	}
	if err := ws.WaitColumns(ctx); err != nil {
		t.Fatal(err)
	}
	ids, err = ws.AudienceIDsColumns(ctx, portal.Cond("company.plan", portal.OpEquals, "Pro"), schema, t0)
	if err != nil || !cmp.Equal(ids, []string{"u1", "u4", "u5"}) {
		t.Fatalf("columns read again after the import: %v, %v", ids, err)
	}
	ws.UseColumns(false)
	if st := ws.ColumnStats(); st.On || st.Loaded {
		t.Fatalf("after UseColumns(false): %+v", st)
	}
	// Closing during a background load waits for it.
	ws.UseColumns(true)
	if err := ws.Close(); err != nil {
		t.Fatal(err)
	}
}

// A rule with a condition the columns cannot evaluate is left to the SQL
// path whatever the order of evaluation, even when an earlier condition
// matches no one.
func TestColumnsRefuseWhatSQLRefuses(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	MustImport(t, ws, edgeDataset()...)
	if err := ws.LoadColumns(ctx); err != nil {
		t.Fatal(err)
	}
	schema, err := ws.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := portal.AllOf(portal.Cond("user.email", portal.OpEquals, "nobody@example.com"), portal.Cond("user.nope", portal.OpEquals, "x"))
	if _, err := ws.AudienceIDsColumns(ctx, r, schema, t0); err == nil {
		t.Error("the columns answered a rule naming an unknown attribute")
	}
}

// TestColumnsOnDemo checks random rules on a demo workspace large enough
// for every column form to arise by itself (arenas of thousands of
// values, dictionaries, dense and sparse columns, users with several
// companies): the columns, the SQL set path (reading large sets densely)
// and portal.Eval agree, and so do the first 50 users on both paths.
func TestColumnsOnDemo(t *testing.T) {
	defer sqlite.SetSeqsDenseMin(100)()
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 11))
	ws := MustOpen(t)
	opt := demo.Options{Users: 3000, Companies: 300, Tickets: demo.None, Seed: int64(seed % 1000)}
	if _, err := ws.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		return nil, demo.Generate(opt, emit)
	}, portal.ImportOptions{Replace: true}); err != nil {
		t.Fatal(err)
	}
	if err := ws.LoadColumns(ctx); err != nil {
		t.Fatal(err)
	}
	schema, err := ws.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	subjects := allSubjects(t, ws)
	defer func(old []string) { words = old }(words)
	words = []string{"examply", ".com", "ma", "son", "a", "e", "Pro", "Starter", "EMEA", "user", "lead", "@", "globex", "maría", "MÜLLER", "o", "de", ".io", "z"}
	now := demo.DefaultNow
	for i := 0; i < 150; i++ {
		rule := randomRule(r, schema, 3)
		want := []string{}
		for _, sub := range subjects {
			if portal.Eval(rule, schema, sub, now) {
				want = append(want, sub.User.ID)
			}
		}
		sort.Strings(want)
		got, err := ws.AudienceIDsColumns(ctx, rule, schema, now)
		if err != nil {
			t.Fatalf("seed %d: %s: %v", seed, rule, err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("seed %d: rule %s: the columns and Go disagree (-go +columns):\n%s", seed, rule, d)
		}
		viaSQL, err := ws.AudienceIDsSetSQL(ctx, rule, schema, now)
		if err != nil || !cmp.Equal(viaSQL, want) {
			t.Fatalf("seed %d: rule %s: the SQL set path gives %d users (%v), Go %d", seed, rule, len(viaSQL), err, len(want))
		}
		_, list, err := ws.Audience(ctx, rule, schema, now, 50)
		if err != nil {
			t.Fatal(err)
		}
		head, _ := sqlite.IDsOf(list, nil)
		for _, p := range []idPath{
			{"the columns' first path", func() ([]string, error) { return ws.AudienceFirstColumns(ctx, rule, nil, schema, now, 50) }},
			{"the SQL first path", func() ([]string, error) { return ws.AudienceFirstSQL(ctx, rule, nil, schema, now, 50) }},
		} {
			got, err := p.ids()
			if err != nil || !cmp.Equal(got, head) {
				t.Fatalf("seed %d: rule %s: %s gives %v (%v), the whole list's head %v", seed, rule, p.name, got, err, head)
			}
		}
	}
}

// A workspace of exactly 64 companies (a whole word of them) that all
// have a plan keeps the plan in a dense column: "company.plan is set" on
// the columns used to panic (its set of companies has one more bit, for
// "no company", than the column has rows).
func TestColumnsCompaniesOfWholeWords(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	var recs []portal.Record
	for i := 0; i < 64; i++ {
		recs = append(recs, portal.Record{Company: &portal.Company{ID: fmt.Sprintf("c%02d", i), Plan: "Pro"}})
	}
	recs = append(recs, portal.Record{User: &portal.User{ID: "u1", CompanyIDs: []string{"c01"}}}, portal.Record{User: &portal.User{ID: "u2"}})
	MustImport(t, ws, recs...)
	if err := ws.LoadColumns(ctx); err != nil {
		t.Fatal(err)
	}
	schema, err := ws.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ws.AudienceIDsColumns(ctx, portal.Cond("company.plan", portal.OpIsSet, nil), schema, t0)
	if err != nil || !cmp.Equal(got, []string{"u1"}) {
		t.Errorf("company.plan is set: %v, %v; want [u1]", got, err)
	}
}
