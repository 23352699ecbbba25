package audience_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
)

// The engine alone, filled through its builders from domain values (no
// store): on random users, companies and rules over every attribute and
// operator, Audience and First give exactly what portal.Eval gives user
// by user, and the portal sets and the impact groups exactly what
// portal.Decide gives. (The SQLite adapter's property tests compare the
// engine with the SQL paths on data read back from a workspace.)

var now = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// A small vocabulary so that random rules often match something.
var words = []string{"Examply", "examply.com", "ÉLODIE", "elodie", "Globex", "globex.io", "Pro", "pro", "Zoë", "zoe", "ab", "b", "Müller", "muller", "\u0301"}

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

func randTime(r *rand.Rand) time.Time {
	if r.IntN(4) == 0 {
		return time.Time{}
	}
	return now.Add(-time.Duration(r.IntN(20*24)) * time.Hour)
}

func randCustom(r *rand.Rand) map[string]portal.Value {
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
		m["renewal_at"] = portal.DateValue(randTime(r))
	}
	if r.IntN(8) == 0 {
		m["seats"] = portal.StringValue("many") // another kind: unset
	}
	for k, v := range m {
		if !v.IsSet() {
			delete(m, k)
		}
	}
	return m
}

// custom is the schema's custom attributes: the same four in each scope.
func schema() *portal.Schema {
	var attrs []portal.Attribute
	for _, sc := range []portal.Scope{portal.ScopeUser, portal.ScopeCompany} {
		for k, kind := range map[string]portal.ValueKind{"seats": portal.KindNumber, "tier": portal.KindString, "vip": portal.KindBoolean, "renewal_at": portal.KindDate} {
			attrs = append(attrs, portal.Attribute{Scope: sc, Field: k, Kind: kind})
		}
	}
	return portal.NewSchema(attrs)
}

type dataset struct {
	users     []*portal.User // by seq; nil: a deleted user
	companies []*portal.Company
}

func randomDataset(r *rand.Rand) dataset {
	var d dataset
	nc := r.IntN(6)
	for i := 0; i < nc; i++ {
		d.companies = append(d.companies, &portal.Company{
			ID: fmt.Sprintf("c%d", i), CompanyID: fmt.Sprintf("cmp-%d", i), Name: randString(r), Plan: randString(r),
			Size: randNum(r), Industry: randString(r), Website: randString(r), MonthlySpend: randNum(r),
			CreatedAt: randTime(r), Custom: randCustom(r),
		})
	}
	nu := r.IntN(150)
	// Sometimes few users among many rows, as in the changes of a small
	// import (their compact persisted form).
	gaps := r.IntN(4) == 0
	for i := 0; i < nu; i++ {
		if r.IntN(10) == 0 || (gaps && r.IntN(12) != 0) {
			d.users = append(d.users, nil)
			continue
		}
		u := &portal.User{
			ID: fmt.Sprintf("u%d", i), ExternalID: fmt.Sprintf("ext-%d", i), Email: randString(r), Name: randString(r),
			Role: []string{"user", "lead", ""}[r.IntN(3)], CreatedAt: randTime(r), SignedUpAt: randTime(r),
			LastSeenAt: randTime(r), Custom: randCustom(r),
		}
		for j := r.IntN(4); j > 0; j-- {
			// Sometimes a company that is not in the workspace.
			u.CompanyIDs = append(u.CompanyIDs, fmt.Sprintf("c%d", r.IntN(nc+2)))
		}
		d.users = append(d.users, u)
	}
	return d
}

// fill builds the engine from d as a store would: folded strings, dates
// in Unix seconds, booleans 0 or 1, values of another kind than their
// attribute's left out, rows increasing.
func fill(t testing.TB, d dataset, s *portal.Schema) *audience.Columns {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	rows := len(d.users)
	ub, ab, cb := audience.NewUserBuilder(rows), audience.NewAttrBuilder(), audience.NewCompanyBuilder(rows)
	for seq, u := range d.users {
		if u == nil {
			continue
		}
		r := uint32(seq)
		must(ub.Add(r))
		for f, v := range map[audience.UserField]string{audience.UserID: u.ID, audience.UserExternalID: u.ExternalID, audience.UserEmail: u.Email, audience.UserName: u.Name, audience.UserRole: u.Role} {
			if v != "" {
				must(ub.String(f, r, portal.Fold(v)))
			}
		}
		for f, v := range map[audience.UserField]time.Time{audience.UserCreatedAt: u.CreatedAt, audience.UserSignedUpAt: u.SignedUpAt, audience.UserLastSeenAt: u.LastSeenAt} {
			if !v.IsZero() {
				must(ub.Date(f, r, v.Unix()))
			}
		}
		pushCustom(t, ab, r, portal.ScopeUser, u.Custom, s)
	}
	for _, c := range d.companies {
		r, err := cb.Add(c.ID)
		must(err)
		for f, v := range map[audience.CompanyField]string{audience.CompanyID: c.ID, audience.CompanyCompanyID: c.CompanyID, audience.CompanyName: c.Name, audience.CompanyPlan: c.Plan, audience.CompanyIndustry: c.Industry, audience.CompanyWebsite: c.Website} {
			if v != "" {
				must(cb.String(f, r, portal.Fold(v)))
			}
		}
		for f, v := range map[audience.CompanyField]*float64{audience.CompanySize: c.Size, audience.CompanyMonthlySpend: c.MonthlySpend} {
			if v != nil {
				must(cb.Number(f, r, *v))
			}
		}
		if !c.CreatedAt.IsZero() {
			must(cb.Number(audience.CompanyCreatedAt, r, float64(c.CreatedAt.Unix())))
		}
		pushCustom(t, cb.Attrs(), r, portal.ScopeCompany, c.Custom, s)
	}
	for seq, u := range d.users {
		if u == nil {
			continue
		}
		ids := slices.Clone(u.CompanyIDs)
		slices.Sort(ids)
		for _, id := range slices.Compact(ids) {
			must(cb.Member(int64(seq), id))
		}
	}
	c, err := audience.NewColumns(ub, ab, cb)
	must(err)
	return c
}

// pushCustom pushes custom values in key order (rows increase per key).
func pushCustom(t testing.TB, b *audience.AttrBuilder, row uint32, sc portal.Scope, m map[string]portal.Value, s *portal.Schema) {
	t.Helper()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m[k]
		a, ok := s.Lookup(string(sc) + ".custom." + k)
		if !ok || a.Kind != v.Kind {
			continue
		}
		var err error
		switch v.Kind {
		case portal.KindString:
			err = b.String(row, k, portal.Fold(v.Str))
		case portal.KindNumber:
			err = b.Number(row, k, v.Kind, v.Num)
		case portal.KindBoolean:
			err = b.Number(row, k, v.Kind, map[bool]float64{false: 0, true: 1}[v.Bool])
		case portal.KindDate:
			err = b.Number(row, k, v.Kind, float64(v.Time.Unix()))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// subjects returns each user (by seq) with their companies in the data.
func subjects(d dataset) map[uint32]portal.Subject {
	byID := map[string]*portal.Company{}
	for _, c := range d.companies {
		byID[c.ID] = c
	}
	out := map[uint32]portal.Subject{}
	for seq, u := range d.users {
		if u == nil {
			continue
		}
		sub := portal.Subject{User: u}
		for _, id := range u.CompanyIDs {
			if c := byID[id]; c != nil && !slices.Contains(sub.Companies, c) {
				sub.Companies = append(sub.Companies, c)
			}
		}
		out[uint32(seq)] = sub
	}
	return out
}

// randomRule returns a valid random rule over every attribute and operator.
func randomRule(r *rand.Rand, s *portal.Schema, depth int) *portal.Rule {
	if depth > 0 && r.IntN(3) == 0 {
		kids := make([]*portal.Rule, r.IntN(4))
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

// evalSet is the set portal.Eval gives.
func evalSet(rule *portal.Rule, s *portal.Schema, subs map[uint32]portal.Subject) *roaring.Bitmap {
	out := roaring.New()
	for seq, sub := range subs {
		if portal.Eval(rule, s, sub, now) {
			out.Add(seq)
		}
	}
	return out
}

func TestEngineMatchesEval(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 17))
	s := schema()
	forms := []func() func(){
		func() func() { return func() {} },
		func() func() { return audience.ForceForms(true, 1, false, true) },
		func() func() { return audience.ForceForms(true, 2, true, false) },
		func() func() { return audience.ForceForms(false, 1, true, true) },
		trigramForm,
		func() func() {
			return audience.SetTrigrams(0, 1+r.IntN(8), r.IntN(3), []float64{100, 0.5, 0.05}[r.IntN(3)])
		},
	}
	for iter := 0; iter < 60; iter++ {
		d := randomDataset(r)
		restore := forms[r.IntN(len(forms))]()
		cols := fill(t, d, s)
		restore()
		subs := subjects(d)
		if cols.Users() != len(subs) || cols.Companies() != len(d.companies) {
			t.Fatalf("seed %d: %d users, %d companies; want %d, %d", seed, cols.Users(), cols.Companies(), len(subs), len(d.companies))
		}
		for k := 0; k < 25; k++ {
			rule, except := randomRule(r, s, 3), (*portal.Rule)(nil)
			if r.IntN(3) == 0 {
				except = randomRule(r, s, 2)
			}
			want := evalSet(rule, s, subs)
			want.AndNot(evalSet(except, s, subs))
			restore := audience.SetFilterDiv([]int{16, 1, 1 << 30}[r.IntN(3)])
			spans := audience.SetSpans(0, 1+r.IntN(4)) // every scan split
			byCompany := audience.SetCompanyIndex(r.IntN(2) == 0)
			got, err := cols.Audience(rule, except, s, now)
			byCompany()
			spans()
			restore()
			if err != nil {
				t.Fatalf("seed %d: %s: %v", seed, rule, err)
			}
			if !got.Equals(want) {
				t.Fatalf("seed %d: %s except %s: engine %v, portal.Eval %v", seed, rule, except, got.ToArray(), want.ToArray())
			}
			n := 1 + r.IntN(8)
			restore = audience.SetFirstScan([]int{8, 1, 1 << 30}[r.IntN(3)], r.IntN(200))
			kept := audience.SetFirstKeptSets(r.IntN(2) == 0) // else companies decided one by one
			explore := audience.SetFirstExplore(r.IntN(3))    // the order of groups settled at once
			first, err := cols.First(rule, except, s, now, n)
			explore()
			kept()
			restore()
			if err != nil {
				t.Fatalf("seed %d: first: %v", seed, err)
			}
			if wantFirst := audience.Head(want, n); !slices.Equal(first, wantFirst) {
				t.Fatalf("seed %d: %s except %s: first %d %v, want %v", seed, rule, except, n, first, wantFirst)
			}
		}
		checkImpact(t, seed, r, cols, s, subs)
	}
}

// checkImpact compares the portal sets and the impact of two random
// documents with portal.Decide.
func checkImpact(t *testing.T, seed uint64, r *rand.Rand, cols *audience.Columns, s *portal.Schema, subs map[uint32]portal.Subject) {
	t.Helper()
	doc := func() *portal.Settings {
		st := &portal.Settings{}
		st.Portal.Enabled = r.IntN(5) > 0
		if r.IntN(6) > 0 {
			st.Access.Rule = randomRule(r, s, 2)
		}
		st.Visibility.RestrictToOwn = r.IntN(2) == 0
		if r.IntN(2) == 0 {
			st.Visibility.Conditions = randomRule(r, s, 2)
		}
		return st
	}
	of := func(rule *portal.Rule) (*roaring.Bitmap, error) { return cols.Audience(rule, nil, s, now) }
	before, after := doc(), doc()
	b, err := audience.SetsOf(before, of)
	if err != nil {
		t.Fatal(err)
	}
	a, err := audience.SetsOf(after, of)
	if err != nil {
		t.Fatal(err)
	}
	im := audience.NewImpact(len(subs), b, a)
	counts := map[string]int{}
	for seq, sub := range subs {
		states := [2]string{}
		for i, st := range []*portal.Settings{before, after} {
			d := portal.Decide(st, s, sub, now)
			switch {
			case !d.Access:
				states[i] = portal.StateNone
			case d.Restricted:
				states[i] = portal.StateOwn
			default:
				states[i] = portal.StateAll
			}
		}
		if gb, ga := im.States(seq); gb != states[0] || ga != states[1] {
			t.Fatalf("seed %d: user %d: states %s → %s, portal.Decide %s → %s", seed, seq, gb, ga, states[0], states[1])
		}
		switch {
		case states[0] == states[1]:
		case states[0] == portal.StateNone:
			counts[portal.GainAccess]++
		case states[1] == portal.StateNone:
			counts[portal.LoseAccess]++
		case states[1] == portal.StateOwn:
			counts[portal.BecomeRestricted]++
		default:
			counts[portal.BecomeUnrestricted]++
		}
	}
	for _, g := range portal.ImpactGroups {
		if im.Count(g) != counts[g] {
			t.Fatalf("seed %d: %s: %d users, portal.Decide %d", seed, g, im.Count(g), counts[g])
		}
		page, err := im.Page(g, 0, len(subs)+1)
		if err != nil || len(page) != counts[g] {
			t.Fatalf("seed %d: %s: page of %d users (%v), want %d", seed, g, len(page), err, counts[g])
		}
	}
}

// A rule the engine cannot evaluate is refused, never answered.
func TestEngineRefuses(t *testing.T) {
	s := schema()
	cols := fill(t, dataset{users: []*portal.User{{ID: "u1", Email: "a@b.c"}}}, s)
	for _, rule := range []*portal.Rule{
		portal.Cond("user.custom.nope", portal.OpEquals, "x"),
		portal.Cond("user.email", portal.OpEquals, 3.0),
		portal.AllOf(portal.Cond("user.email", portal.OpEquals, "zzz"), portal.Cond("company.size", portal.OpGreaterThan, "big")),
	} {
		if _, err := cols.Audience(rule, nil, s, now); err != audience.ErrUnsupported {
			t.Errorf("%s: Audience gives %v, want ErrUnsupported", rule, err)
		}
		if _, err := cols.First(rule, nil, s, now, 5); err != audience.ErrUnsupported {
			t.Errorf("%s: First gives %v, want ErrUnsupported", rule, err)
		}
	}
}

// Rows out of order are refused: the columns need them increasing.
func TestBuildersRefuseDisorder(t *testing.T) {
	ub := audience.NewUserBuilder(4)
	if err := ub.Add(4); err != audience.ErrOrder {
		t.Errorf("Add past the rows: %v", err)
	}
	if err := ub.String(audience.UserEmail, 2, "b"); err != nil {
		t.Fatal(err)
	}
	if err := ub.String(audience.UserEmail, 1, "a"); err != audience.ErrOrder {
		t.Errorf("a string at a lower row: %v", err)
	}
	if err := ub.Date(audience.UserEmail, 3, 0); err == nil {
		t.Error("a date into a string field was taken")
	}
	cb := audience.NewCompanyBuilder(4)
	if _, err := cb.Add("c1"); err != nil {
		t.Fatal(err)
	}
	if err := cb.Member(2, "c1"); err != nil {
		t.Fatal(err)
	}
	if err := cb.Member(1, "c1"); err != audience.ErrOrder {
		t.Errorf("a membership at a lower seq: %v", err)
	}
	if _, err := cb.Add("c2"); err == nil {
		t.Error("a company after the memberships was taken")
	}
	if _, err := audience.NewColumns(ub, audience.NewAttrBuilder(), audience.NewCompanyBuilder(5)); err == nil {
		t.Error("builders for different numbers of rows were assembled")
	}
}

// A company condition over a dense company column when the companies
// fill whole words (64 of them): the set of companies has one more bit
// (for "no company") than the column has rows.
func TestCompanyColumnOfWholeWords(t *testing.T) {
	s := schema()
	for _, n := range []int{63, 64, 128} {
		d := dataset{}
		for i := 0; i < n; i++ {
			d.companies = append(d.companies, &portal.Company{ID: fmt.Sprintf("c%03d", i), Plan: "Pro"})
		}
		d.users = []*portal.User{{ID: "u0", CompanyIDs: []string{"c000"}}, {ID: "u1"}}
		cols := fill(t, d, s)
		for _, rule := range []*portal.Rule{portal.Cond("company.plan", portal.OpIsSet, nil), portal.Cond("company.plan", portal.OpIsNotSet, nil)} {
			got, err := cols.Audience(rule, nil, s, now)
			if err != nil {
				t.Fatal(err)
			}
			if want := evalSet(rule, s, subjects(d)); !got.Equals(want) {
				t.Errorf("%d companies: %s: %v, want %v", n, rule, got.ToArray(), want.ToArray())
			}
		}
	}
}

// colsSource serves fixed columns as a store would.
type colsSource struct{ c *audience.Columns }

func (s colsSource) Generation(context.Context) (string, error) { return "g1", nil }
func (s colsSource) ReadColumns(context.Context) (*audience.Columns, string, error) {
	return s.c, "g1", nil
}
func (s colsSource) ReadChanges(context.Context, string) (*audience.Columns, string, error) {
	return nil, "", audience.ErrChangesUnknown
}
func (s colsSource) Summaries(context.Context, []uint32) ([]portal.UserSummary, error) {
	return nil, nil
}
func (s colsSource) CompanyReach(context.Context, string, string) (audience.Reach, error) {
	return audience.Reach{}, nil
}

// TestCompanyIndexKeptOnly: a long-running engine (Keep) makes the
// companies' users as it loads, a one-shot one does not (making them
// would cost it more than they save), and both answer company
// conditions as portal.Eval does.
func TestCompanyIndexKeptOnly(t *testing.T) {
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 29))
	s := schema()
	d := randomDataset(r)
	subs := subjects(d)
	for _, keep := range []bool{true, false} {
		e := audience.NewEngine(colsSource{fill(t, d, s)}, audience.Options{Keep: keep})
		if err := e.Load(ctx); err != nil {
			t.Fatal(err)
		}
		if got := audience.CompaniesIndexed(e); got != keep {
			t.Errorf("keep %v: the companies' users made: %v", keep, got)
		}
		for k := 0; k < 40; k++ {
			rule := randomRule(r, s, 2)
			want := evalSet(rule, s, subs)
			n, _, err := e.Audience(ctx, rule, s, now, 0)
			if err != nil {
				t.Fatal(err)
			}
			if n != int(want.GetCardinality()) {
				t.Fatalf("seed %d, keep %v: %s: %d users, portal.Eval %d", seed, keep, rule, n, want.GetCardinality())
			}
		}
		e.Close()
	}
}
