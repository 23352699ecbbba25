package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/audience"
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

func TestEngineEdgeCases(t *testing.T) {
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
			e, _ := longRunning(t, ws)
			schema, err := ws.Schema(ctx)
			if err != nil {
				t.Fatal(err)
			}
			subjects := allSubjects(t, ws)
			for _, c := range cases {
				got, err := engineIDs(ctx, e, c.rule, nil, schema, t0)
				if err != nil {
					t.Fatalf("%s: %v", c.rule, err)
				}
				if d := cmp.Diff(c.want, got); d != "" {
					t.Errorf("%s (-want +engine):\n%s", c.rule, d)
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
			st := e.Stats()
			if !st.Loaded || st.Users != 5 || st.Companies != 2 || st.Bytes <= 0 {
				t.Errorf("stats %+v: want loaded, 5 users, 2 companies", st)
			}
		})
	}
}

// A condition the engine cannot evaluate (an unknown attribute, a value
// of the wrong type) is refused with a sentence saying what is wrong
// (EINVALID), whatever the order of evaluation, even when an earlier
// condition matches no one; on every path (counts, first users, impact).
func TestEngineRefusesBadRules(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	MustImport(t, ws, edgeDataset()...)
	schema, err := ws.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []*audience.Engine{oneShot(t, ws, nil), kept(t, ws)} {
		for _, c := range []struct {
			rule *portal.Rule
			msg  string
		}{
			{portal.Cond("user.nope", portal.OpEquals, "x"), `unknown attribute "user.nope"`},
			{portal.Cond("user.email", portal.OpEquals, 3.0), "user.email cannot be compared with equals 3"},
			{portal.Cond("user.custom.seats", portal.OpContains, "x"), "user.custom.seats cannot be compared with contains x"},
			{portal.AllOf(portal.Cond("user.email", portal.OpEquals, "nobody@example.com"), portal.Cond("user.nope", portal.OpEquals, "x")), `unknown attribute "user.nope"`},
		} {
			check := func(path string, err error) {
				t.Helper()
				if err == nil || portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(err.Error(), c.msg) {
					t.Errorf("%s: %s: %v (%s); want EINVALID saying %s", c.rule, path, err, portal.ErrorCode(err), c.msg)
				}
			}
			_, _, err := e.Audience(ctx, c.rule, schema, t0, 5)
			check("Audience", err)
			_, err = e.AudienceFirst(ctx, c.rule, nil, schema, t0, 5)
			check("AudienceFirst", err)
			st := portal.DefaultSettings()
			st.Portal.Enabled, st.Access.Rule = true, c.rule
			_, err = e.Impact(ctx, portal.DefaultSettings(), st, schema, t0)
			check("Impact", err)
		}
	}
}

// A one-shot engine loads nothing until asked; a long-running one loads
// in the background at once, and again after every import, which it is
// told of; closing during a load waits for it. No answer ever comes from
// the data before an import.
func TestEnginePolicy(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	MustImport(t, ws, edgeDataset()...)
	schema, err := ws.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	once := oneShot(t, ws, nil)
	if st := once.Stats(); st.Loaded {
		t.Fatalf("a one-shot engine loaded before any audience: %+v", st)
	}
	e := kept(t, ws)
	if err := e.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if st := e.Stats(); !st.Loaded || st.Err != "" {
		t.Fatalf("after a background load: %+v", st)
	}
	pro := portal.Cond("company.plan", portal.OpEquals, "Pro")
	ids, err := engineIDs(ctx, e, pro, nil, schema, t0)
	if err != nil || !cmp.Equal(ids, []string{"u1", "u4"}) {
		t.Fatalf("after a background load: %v, %v", ids, err)
	}
	gen := e.Stats().Generation
	// An import: the next answer is the new data's, on both engines.
	MustImport(t, ws, portal.Record{Company: &portal.Company{ID: "c2", Plan: "Pro"}})
	for _, en := range []*audience.Engine{e, once} {
		n, _, err := en.Audience(ctx, pro, schema, t0, 0)
		if err != nil || n != 3 {
			t.Fatalf("right after an import: %d, %v; want 3 (u1, u4, u5)", n, err)
		}
	}
	if err := e.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if st := e.Stats(); !st.Loaded || st.Generation == gen {
		t.Fatalf("the long-running engine after an import: %+v (was at %s)", st, gen)
	}
	// Closing during a background load waits for it.
	MustImport(t, ws, portal.Record{Company: &portal.Company{ID: "c1", Plan: "Starter"}})
	e.Close()
	if _, _, err := e.Audience(ctx, pro, schema, t0, 0); err == nil {
		t.Fatal("a closed engine answered")
	}
	if err := ws.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestColumnsOnDemo checks random rules on a demo workspace large enough
// for every column form to arise by itself (arenas of thousands of
// values, dictionaries, dense and sparse columns, users with several
// companies): the engine of a long-running process, a one-shot
// process's (mapping the file the first wrote) and portal.Eval agree, and
// so do the first 50 users.
func TestEngineOnDemo(t *testing.T) {
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
	e, _ := longRunning(t, ws)
	once := oneShot(t, openAt(t, ws.Location(), nil), nil)
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
		for _, en := range []*audience.Engine{e, once} {
			got, err := engineIDs(ctx, en, rule, nil, schema, now)
			if err != nil {
				t.Fatalf("seed %d: %s: %v", seed, rule, err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("seed %d: rule %s: the engine and Go disagree (-go +engine):\n%s", seed, rule, d)
			}
		}
		_, list, err := e.Audience(ctx, rule, schema, now, 50)
		if err != nil {
			t.Fatal(err)
		}
		head, _ := idsOf(list, nil)
		for _, p := range []idPath{
			{"the long-running engine's first path", func() ([]string, error) { return engineFirst(ctx, e, rule, nil, schema, now, 50) }},
			{"the one-shot engine's first path", func() ([]string, error) { return engineFirst(ctx, once, rule, nil, schema, now, 50) }},
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
// the engine used to panic (its set of companies has one more bit, for
// "no company", than the column has rows).
func TestEngineCompaniesOfWholeWords(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	var recs []portal.Record
	for i := 0; i < 64; i++ {
		recs = append(recs, portal.Record{Company: &portal.Company{ID: fmt.Sprintf("c%02d", i), Plan: "Pro"}})
	}
	recs = append(recs, portal.Record{User: &portal.User{ID: "u1", CompanyIDs: []string{"c01"}}}, portal.Record{User: &portal.User{ID: "u2"}})
	MustImport(t, ws, recs...)
	e, _ := longRunning(t, ws)
	schema, err := ws.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := engineIDs(ctx, e, portal.Cond("company.plan", portal.OpIsSet, nil), nil, schema, t0)
	if err != nil || !cmp.Equal(got, []string{"u1"}) {
		t.Errorf("company.plan is set: %v, %v; want [u1]", got, err)
	}
}

// Importing a few records into a larger workspace catches the engine up
// from the changed users alone (the rows of those users, read from the
// workspace's changes log), in the process that imported and, through
// the changes file, in the next one; a Replace import reads everything.
func TestEngineCatchesUpFromChanges(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	opt := demo.Options{Users: 3000, Companies: 300, Tickets: demo.None, Seed: 5}
	if _, err := ws.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		return nil, demo.Generate(opt, emit)
	}, portal.ImportOptions{Replace: true}); err != nil {
		t.Fatal(err)
	}
	app, st := longRunning(t, ws)
	if st.From != "store" {
		t.Fatalf("the first load: %+v", st)
	}
	var recs []portal.Record
	for i := 0; i < 10; i++ {
		recs = append(recs, portal.Record{User: &portal.User{ID: fmt.Sprintf("new-%d", i), Email: fmt.Sprintf("new%d@examply.com", i), CompanyIDs: []string{"c-new"}}})
	}
	recs = append(recs, portal.Record{Company: &portal.Company{ID: "c-new", Plan: "Enterprise"}})
	MustImport(t, ws, recs...)
	schema, err := ws.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rule := portal.AllOf(portal.Cond("company.plan", portal.OpEquals, "enterprise"), portal.Cond("user.email", portal.OpStartsWith, "new"))
	for _, e := range []*audience.Engine{app, oneShot(t, openAt(t, ws.Location(), nil), nil)} {
		n, _, err := e.Audience(ctx, rule, schema, t0, 0)
		if err != nil || n != 10 {
			t.Fatalf("after the import: %d, %v; want 10", n, err)
		}
		if st := e.Stats(); st.Changed != 10 || st.Users != 3010 || (st.From != "changes" && st.From != "file") {
			t.Fatalf("after a small import: %+v; want the 10 new users read alone", st)
		}
	}
	if _, err := os.Stat(ws.AudiencePath() + audience.ChangesSuffix); err != nil {
		t.Fatalf("no changes file: %v", err)
	}
	// A Replace import: every row is read again.
	if _, err := ws.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		return nil, demo.Generate(opt, emit)
	}, portal.ImportOptions{Replace: true}); err != nil {
		t.Fatal(err)
	}
	n, _, err := app.Audience(ctx, rule, schema, t0, 0)
	if err != nil || n != 0 {
		t.Fatalf("after a Replace import: %d, %v; want 0", n, err)
	}
	if st := app.Stats(); st.From != "store" || st.Changed != 0 || st.Users != 3000 {
		t.Fatalf("after a Replace import: %+v", st)
	}
}
