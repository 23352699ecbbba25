package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// A small vocabulary so that random rules often match something: strings
// share letters, diacritics and case.
var words = []string{"Examply", "examply.com", "ÉLODIE", "elodie", "Globex", "globex.io", "Pro", "pro", "Starter", "Zoë", "zoe", "ab", "b", "Müller", "muller", "x"}

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

// TestRuleSQLMatchesGo proves that the rule compiled to SQL selects exactly
// the users the Go evaluator matches, on random datasets and rules.
func TestRuleSQLMatchesGo(t *testing.T) {
	t.Run("FilterCandidates", testRuleSQLMatchesGo)
	t.Run("WholeSets", func(t *testing.T) {
		defer sqlite.SetFilterMax(0)()
		testRuleSQLMatchesGo(t)
	})
}

func testRuleSQLMatchesGo(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 7))
	ctx := context.Background()
	now := t0
	rules := 0
	for ds := 0; ds < 12; ds++ {
		ws := MustOpen(t)
		recs := randomDataset(r, now)
		MustImport(t, ws, recs...)
		schema, err := ws.Schema(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(schema.Attributes()) != len(portal.StandardAttributes())+8 {
			t.Fatalf("schema has %d attributes, want the standard ones and 8 custom", len(schema.Attributes()))
		}
		subjects := loadSubjects(t, ws, recs)
		for i := 0; i < 150; i++ {
			rule := randomRule(r, schema, 3)
			if ps := portal.ValidateRule(rule, schema, "rule"); len(ps) > 0 {
				t.Fatalf("generated an invalid rule %s: %v", rule, ps)
			}
			got, err := ws.AudienceIDs(ctx, rule, schema, now)
			if err == nil {
				var viaSQL []string
				viaSQL, err = ws.AudienceIDsSQL(ctx, rule, schema, now)
				if d := cmp.Diff(got, viaSQL); err == nil && d != "" {
					t.Fatalf("seed %d: rule %s: the set path and the WHERE path disagree (-set +where):\n%s", seed, rule, d)
				}
			}
			if err != nil {
				t.Fatalf("seed %d: %s: %v", seed, rule, err)
			}
			want := []string{}
			for _, sub := range subjects {
				if portal.Eval(rule, schema, sub, now) {
					want = append(want, sub.User.ID)
				}
			}
			sort.Strings(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("seed %d: rule %s: SQL and Go disagree (-go +sql):\n%s", seed, rule, diff)
			}
			n, _, err := ws.Audience(ctx, rule, schema, now, 5)
			if err != nil || n != len(want) {
				t.Fatalf("seed %d: rule %s: count %d, %v; want %d", seed, rule, n, err, len(want))
			}
			rules++
		}
	}
	t.Logf("%d random rules agreed", rules)
}

func loadSubjects(t *testing.T, ws *sqlite.Workspace, recs []portal.Record) []portal.Subject {
	t.Helper()
	ctx := context.Background()
	var subs []portal.Subject
	for _, rec := range recs {
		if rec.User == nil {
			continue
		}
		u, err := ws.FindUser(ctx, rec.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := ws.Subject(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub)
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].User.ID < subs[j].User.ID })
	return subs
}
