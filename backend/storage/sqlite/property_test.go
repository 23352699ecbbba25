package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// A small vocabulary so that random rules often match something: strings
// share letters, diacritics and case.
var words = []string{"Examply", "examply.com", "ÉLODIE", "elodie", "Globex", "globex.io", "Pro", "pro", "Starter", "Zoë", "zoe", "ab", "b", "Müller", "muller", "x", "\u0301"}

func randString(r *rand.Rand) string {
	switch r.IntN(6) {
	case 0:
		return ""
	case 1:
		return words[r.IntN(len(words))] + "@" + words[r.IntN(len(words))]
	}
	return words[r.IntN(len(words))]
}

func randNum(r *rand.Rand) *float64 {
	if r.IntN(4) == 0 {
		return nil
	}
	f := float64(r.IntN(5) * 5)
	return &f
}

func randTime(r *rand.Rand, now time.Time) time.Time {
	if r.IntN(4) == 0 {
		return time.Time{}
	}
	return now.Add(-time.Duration(r.IntN(20*24)) * time.Hour)
}

func randCustom(r *rand.Rand, now time.Time) map[string]portal.Value {
	m := map[string]portal.Value{}
	if r.IntN(3) > 0 {
		m["seats"] = portal.Value{Kind: portal.KindNumber, Num: float64(r.IntN(4) * 5)}
	}
	if r.IntN(3) > 0 {
		m["tier"] = portal.StringValue(randString(r))
	}
	if r.IntN(3) > 0 {
		m["vip"] = portal.Value{Kind: portal.KindBoolean, Bool: r.IntN(2) == 0}
	}
	if r.IntN(3) > 0 {
		m["renewal_at"] = portal.DateValue(randTime(r, now))
	}
	if r.IntN(8) == 0 {
		// A value of another type than the attribute's: counts as unset.
		m["seats"] = portal.StringValue("many")
	}
	for k, v := range m {
		if !v.IsSet() {
			delete(m, k)
		}
	}
	return m
}

// randomDataset returns companies first (so attribute types are
// discovered with their intended kinds), then users.
func randomDataset(r *rand.Rand, now time.Time) []portal.Record {
	var recs []portal.Record
	nc := 1 + r.IntN(6)
	// Seed the attribute kinds deterministically.
	recs = append(recs, portal.Record{Company: &portal.Company{ID: "c-seed", Custom: map[string]portal.Value{
		"seats": {Kind: portal.KindNumber, Num: 1}, "tier": portal.StringValue("seed"),
		"vip": {Kind: portal.KindBoolean}, "renewal_at": portal.DateValue(now)}}})
	recs = append(recs, portal.Record{User: &portal.User{ID: "u-seed", Custom: map[string]portal.Value{
		"seats": {Kind: portal.KindNumber, Num: 1}, "tier": portal.StringValue("seed"),
		"vip": {Kind: portal.KindBoolean}, "renewal_at": portal.DateValue(now)}}})
	for i := 0; i < nc; i++ {
		recs = append(recs, portal.Record{Company: &portal.Company{
			ID: fmt.Sprintf("c%d", i), CompanyID: fmt.Sprintf("cmp-%d", i), Name: randString(r), Plan: randString(r),
			Size: randNum(r), Industry: randString(r), Website: randString(r), MonthlySpend: randNum(r),
			CreatedAt: randTime(r, now), Custom: randCustom(r, now),
		}})
	}
	nu := 1 + r.IntN(25)
	for i := 0; i < nu; i++ {
		u := &portal.User{
			ID: fmt.Sprintf("u%d", i), ExternalID: fmt.Sprintf("ext-%d", i), Email: randString(r), Name: randString(r),
			Role: []string{"user", "lead", ""}[r.IntN(3)], CreatedAt: randTime(r, now), SignedUpAt: randTime(r, now),
			LastSeenAt: randTime(r, now), Custom: randCustom(r, now),
		}
		for j := r.IntN(4); j > 0; j-- {
			// Sometimes a company that is not in the workspace.
			u.CompanyIDs = append(u.CompanyIDs, fmt.Sprintf("c%d", r.IntN(nc+2)))
		}
		recs = append(recs, portal.Record{User: u})
	}
	return recs
}

// randomRule returns a valid random rule over every attribute and operator.
func randomRule(r *rand.Rand, s *portal.Schema, depth int) *portal.Rule {
	if depth > 0 && r.IntN(3) == 0 {
		n := r.IntN(4)
		kids := make([]*portal.Rule, n)
		for i := range kids {
			kids[i] = randomRule(r, s, depth-1)
		}
		if r.IntN(2) == 0 {
			return portal.AllOf(kids...)
		}
		return portal.AnyOf(kids...)
	}
	attrs := s.Attributes()
	a := attrs[r.IntN(len(attrs))]
	ops := portal.OperatorsFor(a.Kind)
	op := ops[r.IntN(len(ops))]
	var v any
	switch op {
	case portal.OpIsSet, portal.OpIsNotSet:
	case portal.OpMoreThanDaysAgo, portal.OpLessThanDaysAgo:
		v = float64(r.IntN(21))
	default:
		switch a.Kind {
		case portal.KindString:
			v = words[r.IntN(len(words))]
		case portal.KindNumber:
			v = float64(r.IntN(5) * 5)
		case portal.KindBoolean:
			v = r.IntN(2) == 0
		}
	}
	return portal.Cond(a.Name, op, v)
}

// TestEngineMatchesGo proves that the audience engine over the SQLite
// workspace selects exactly the users the Go evaluator matches, on random
// datasets and rules, for counts, lists and first users: a long-running
// process's engine (told of this handle's imports) and a one-shot
// process's (mapping the file). They are checked after a first import,
// right after a second import that changes users, companies and
// memberships (through this workspace handle and through another one, as
// another process would), and after a Replace import: they must never
// answer from the data they were read from once it changed.
func TestEngineMatchesGo(t *testing.T) {
	t.Run("FilterCandidates", func(t *testing.T) {
		// The engine tests the rest of an "all" group user by user as
		// soon as it has candidates.
		defer sqlite.SetColFilterDiv(1)()
		testEngineMatchesGo(t)
	})
	t.Run("WholeSets", func(t *testing.T) {
		defer sqlite.SetColFilterDiv(1 << 30)()
		testEngineMatchesGo(t)
	})
}

func testEngineMatchesGo(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 7))
	ctx := context.Background()
	now := t0
	rules := 0
	for ds := 0; ds < 12; ds++ {
		// Every form of the columns must give the same answers.
		arena, layout, noFixed, float := r.IntN(2) == 0, r.IntN(3), r.IntN(2) == 0, r.IntN(2) == 0
		restore := sqlite.SetColumnForms(arena, layout, noFixed, float)
		path := filepath.Join(t.TempDir(), "ws.db")
		ws, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		MustImport(t, ws, randomDataset(r, now)...)
		app := audience.NewEngine(ws, audience.Options{Path: ws.AudiencePath(), Keep: true})
		check := func(when string, n int) {
			cli := openAt(t, path, nil)
			rules += checkRules(t, ws, []*audience.Engine{app, oneShot(t, cli, nil)}, r, seed, when, n)
		}
		check("first import", 60)

		// A second import through this handle: the long-running engine
		// catches up in the background; an answer asked meanwhile waits
		// for it. Either way the answer is the new data's.
		MustImport(t, ws, randomDataset(r, now)...)
		check("right after a second import", 30)
		if err := app.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		check("after the engine caught up", 30)

		// Another handle (another process) writes: the engine must see
		// it, with no notice but the workspace's generation.
		other, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		MustImport(t, other, randomDataset(r, now)...)
		other.Close()
		check("right after another process imported", 30)

		// Replace: a new dataset from scratch.
		if _, err := ws.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
			for _, rec := range randomDataset(r, now) {
				if err := emit(rec); err != nil {
					return nil, err
				}
			}
			return nil, nil
		}, portal.ImportOptions{Replace: true}); err != nil {
			t.Fatal(err)
		}
		check("right after a Replace import", 30)
		app.Close()
		ws.Close()
		restore()
	}
	t.Logf("%d random rules agreed", rules)
}

// checkRules checks n random rules on every engine against the Go
// evaluator over the workspace's current users, and returns n.
func checkRules(t *testing.T, ws *sqlite.Workspace, engines []*audience.Engine, r *rand.Rand, seed uint64, when string, n int) int {
	t.Helper()
	ctx := context.Background()
	now := t0
	schema, err := ws.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(schema.Attributes()) != len(portal.StandardAttributes())+8 {
		t.Fatalf("schema has %d attributes, want the standard ones and 8 custom", len(schema.Attributes()))
	}
	subjects := allSubjects(t, ws)
	for i := 0; i < n; i++ {
		rule := randomRule(r, schema, 3)
		if ps := portal.ValidateRule(rule, schema, "rule"); len(ps) > 0 {
			t.Fatalf("generated an invalid rule %s: %v", rule, ps)
		}
		want := []string{}
		for _, sub := range subjects {
			if portal.Eval(rule, schema, sub, now) {
				want = append(want, sub.User.ID)
			}
		}
		sort.Strings(want)
		for ei, e := range engines {
			got, err := engineIDs(ctx, e, rule, nil, schema, now)
			if err != nil {
				t.Fatalf("seed %d, %s: engine %d: rule %s: %v", seed, when, ei, rule, err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("seed %d, %s: rule %s: engine %d and Go disagree (-go +engine):\n%s", seed, when, rule, ei, d)
			}
			count, list, err := e.Audience(ctx, rule, schema, now, 5)
			if err != nil || count != len(want) {
				t.Fatalf("seed %d, %s: rule %s: count %d, %v; want %d", seed, when, rule, count, err, len(want))
			}
			if len(list) != min(5, len(want)) {
				t.Fatalf("seed %d, %s: rule %s: listed %d users of %d", seed, when, rule, len(list), len(want))
			}
			// Audience minus itself is no one.
			if set, err := e.Set(ctx, rule, rule, schema, now); err != nil || !set.IsEmpty() {
				t.Fatalf("seed %d, %s: rule %s except itself: %v, %v", seed, when, rule, set, err)
			}
			checkFirst(t, e, r, seed, when, schema, rule, subjects)
		}
	}
	return n
}

// checkFirst checks the first users of a rule minus a random one (or
// none), with random bounds, against the head of the whole list, itself
// checked against the Go evaluator.
func checkFirst(t *testing.T, e *audience.Engine, r *rand.Rand, seed uint64, when string, schema *portal.Schema, rule *portal.Rule, subjects []portal.Subject) {
	t.Helper()
	ctx := context.Background()
	now := t0
	var except *portal.Rule
	if r.IntN(2) == 0 {
		except = randomRule(r, schema, 2)
	}
	want := []string{}
	for _, sub := range subjects {
		if portal.Eval(rule, schema, sub, now) && !portal.Eval(except, schema, sub, now) {
			want = append(want, sub.User.ID)
		}
	}
	set, err := e.Set(ctx, rule, except, schema, now)
	if err != nil {
		t.Fatal(err)
	}
	all, err := idsOf(e.Summaries(ctx, set, 1000))
	if err != nil {
		t.Fatal(err)
	}
	sorted := append([]string{}, slices.Sorted(slices.Values(all))...)
	if d := cmp.Diff(want, sorted); d != "" || int(set.GetCardinality()) != len(want) {
		t.Fatalf("seed %d, %s: rule %s except %s: count %d, list and Go disagree (-go +list):\n%s", seed, when, rule, except, set.GetCardinality(), d)
	}
	// Random bounds: the engine's scan gives up at once, after 8 users
	// or not at all.
	defer sqlite.SetFirstScan(1<<30, []int{0, 8, 1 << 30}[r.IntN(3)])()
	for _, k := range []int{1, 2, 7} {
		head := all[:min(k, len(all))]
		got, err := engineFirst(ctx, e, rule, except, schema, now, k)
		if err != nil {
			t.Fatalf("seed %d, %s: rule %s except %s: %v", seed, when, rule, except, err)
		}
		if d := cmp.Diff(head, got); d != "" {
			t.Fatalf("seed %d, %s: rule %s except %s, first %d: the first path and the whole list disagree (-list +first):\n%s", seed, when, rule, except, k, d)
		}
	}
}

// idPath is one way to get the ids of an audience.
type idPath struct {
	name string
	ids  func() ([]string, error)
}

// allSubjects loads every user of the workspace with their companies,
// sorted by id.
func allSubjects(t *testing.T, ws *sqlite.Workspace) []portal.Subject {
	t.Helper()
	ctx := context.Background()
	var subs []portal.Subject
	for _, id := range allIDs(t, ws) {
		u, err := ws.FindUser(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := ws.Subject(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub)
	}
	return subs
}
