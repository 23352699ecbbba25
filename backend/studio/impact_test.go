package studio_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"portalstudio/internal/testkit"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/studio"
	"portalstudio/backend/wire"
)

// A small vocabulary so that random rules often match.
var vocab = []string{"examply", "Examply.com", "globex", "Pro", "pro", "Starter", "lead", "user", "a", "Zoë", "zoe"}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// randomWorkspace fills a new workspace with random companies, users
// (some in companies that were never imported) and tickets of every
// category, shared or not, with or without creator and company, and
// returns the service and the ticket ids.
func randomWorkspace(t *testing.T, r *rand.Rand) (*studio.Service, []string) {
	t.Helper()
	ws, err := sqlite.Open(filepath.Join(t.TempDir(), "ws.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	var recs []portal.Record
	// Seed the custom attributes' kinds.
	recs = append(recs,
		portal.Record{Company: &portal.Company{ID: "c-seed", Custom: map[string]portal.Value{"seats": {Kind: portal.KindNumber, Num: 1}, "region": portal.StringValue("EMEA")}}},
		portal.Record{User: &portal.User{ID: "u-seed", Custom: map[string]portal.Value{"is_admin": {Kind: portal.KindBoolean}, "tier": portal.StringValue("gold")}}})
	nc := 1 + r.IntN(5)
	for i := 0; i < nc; i++ {
		seats := float64(r.IntN(4) * 5)
		recs = append(recs, portal.Record{Company: &portal.Company{ID: fmt.Sprintf("c%d", i), Name: pick(r, vocab), Plan: pick(r, []string{"Pro", "Starter", ""}),
			Custom: map[string]portal.Value{"seats": {Kind: portal.KindNumber, Num: seats}, "region": portal.StringValue(pick(r, []string{"EMEA", "AMER", ""}))}}})
	}
	nu := 2 + r.IntN(30)
	var userIDs []string
	for i := 0; i < nu; i++ {
		u := &portal.User{ID: fmt.Sprintf("u%d", i), Email: fmt.Sprintf("%s%d@%s", pick(r, vocab), i, pick(r, vocab)), Name: pick(r, vocab),
			Role: pick(r, []string{"user", "lead", ""}), LastSeenAt: now.Add(-time.Duration(r.IntN(30*24)) * time.Hour),
			Custom: map[string]portal.Value{"is_admin": {Kind: portal.KindBoolean, Bool: r.IntN(3) == 0}, "tier": portal.StringValue(pick(r, []string{"gold", "silver", ""}))}}
		for j := r.IntN(4); j > 0; j-- {
			u.CompanyIDs = append(u.CompanyIDs, fmt.Sprintf("c%d", r.IntN(nc+1)))
		}
		u.CompanyIDs = dedupe(u.CompanyIDs)
		userIDs = append(userIDs, u.ID)
		recs = append(recs, portal.Record{User: u})
	}
	var ticketIDs []string
	nt := r.IntN(40)
	for i := 0; i < nt; i++ {
		tk := &portal.Ticket{ID: fmt.Sprintf("t%d", i), TicketID: fmt.Sprint(1000 + i), Title: "T", Category: pick(r, []string{portal.CategoryCustomer, portal.CategoryCustomer, portal.CategoryBackOffice, portal.CategoryTracker}),
			IsShared: r.IntN(4) > 0, TypeID: "ty", CreatedAt: now.Add(-48 * time.Hour), UpdatedAt: now.Add(-time.Duration(i) * time.Minute)}
		if r.IntN(6) > 0 {
			tk.ContactIDs = []string{pick(r, userIDs)}
			if r.IntN(3) == 0 {
				tk.ContactIDs = append(tk.ContactIDs, pick(r, userIDs))
			}
		}
		if r.IntN(5) > 0 {
			tk.CompanyID = fmt.Sprintf("c%d", r.IntN(nc+1))
		}
		ticketIDs = append(ticketIDs, tk.ID)
		recs = append(recs, portal.Record{Ticket: tk, TicketType: &portal.TicketType{ID: "ty", Name: "Bug", Category: portal.CategoryCustomer}})
	}
	if _, err := ws.Import(context.Background(), func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		for _, rec := range recs {
			if err := emit(rec); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}, portal.ImportOptions{Strict: true}); err != nil {
		t.Fatal(err)
	}
	svc := testkit.Service(t, ws)
	svc.Now = func() time.Time { return now }
	return svc, ticketIDs
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// randomRule is a valid random rule over every attribute of the schema.
func randomRule(r *rand.Rand, s *portal.Schema, depth int) *portal.Rule {
	if depth > 0 && r.IntN(3) == 0 {
		kids := make([]*portal.Rule, r.IntN(3))
		for i := range kids {
			kids[i] = randomRule(r, s, depth-1)
		}
		if r.IntN(2) == 0 {
			return portal.AllOf(kids...)
		}
		return portal.AnyOf(kids...)
	}
	a := pick(r, s.Attributes())
	op := pick(r, portal.OperatorsFor(a.Kind))
	var v any
	switch op {
	case portal.OpIsSet, portal.OpIsNotSet:
	case portal.OpMoreThanDaysAgo, portal.OpLessThanDaysAgo:
		v = float64(r.IntN(30))
	default:
		switch a.Kind {
		case portal.KindString:
			v = pick(r, vocab)
		case portal.KindNumber:
			v = float64(r.IntN(4) * 5)
		case portal.KindBoolean:
			v = r.IntN(2) == 0
		}
	}
	return portal.Cond(a.Name, op, v)
}

// randomSettings covers the portal switch, no rule, Everyone, random
// rules, visibility off and on, with no conditions or random ones.
func randomSettings(r *rand.Rand, s *portal.Schema) *portal.Settings {
	st := portal.DefaultSettings()
	st.IdentityVerification = true // a prerequisite of enabling
	st.Portal.Enabled = r.IntN(6) > 0
	switch r.IntN(5) {
	case 0:
		st.Access.Rule = nil
	case 1:
		st.Access.Rule = portal.Everyone()
	default:
		st.Access.Rule = randomRule(r, s, 2)
	}
	st.Visibility.RestrictToOwn = r.IntN(3) > 0
	switch r.IntN(4) {
	case 0:
		st.Visibility.Conditions = nil
	case 1:
		st.Visibility.Conditions = portal.Everyone()
	default:
		st.Visibility.Conditions = randomRule(r, s, 2)
	}
	return st
}

func stateOf(d portal.Decision) string {
	switch {
	case !d.Access:
		return portal.StateNone
	case d.Restricted:
		return portal.StateOwn
	}
	return portal.StateAll
}

// TestImpactMatchesBruteForce proves that the impact computed with sets
// equals a per-user comparison of portal.Decide under both documents, on
// random datasets and random pairs of settings, by the audience engine of
// a one-shot command and of a long-running process; and that the ticket counts before and after
// equal the tickets portal.CanSee lets each listed user see.
func TestImpactMatchesBruteForce(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 11))
	ctx := context.Background()
	pairs, changed := 0, 0
	for ds := 0; ds < 10; ds++ {
		svc, ticketIDs := randomWorkspace(t, r)
		schema, err := svc.Store.Schema(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ds%2 == 1 {
			// A long-running process's engine, read into memory.
			svc.Audiences = testkit.ServerAudiences(t, wsOf(svc))
		}
		subjects := subjectsOf(t, svc)
		var tickets []*portal.Ticket
		for _, id := range ticketIDs {
			tk, err := svc.Store.Ticket(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			tickets = append(tickets, tk)
		}
		for p := 0; p < 25; p++ {
			before, after := randomSettings(r, schema), randomSettings(r, schema)
			if r.IntN(4) == 0 {
				after = before.Clone() // nothing changes
			}
			res, err := svc.ImpactOf(ctx, before, after, wire.ImpactRequest{Limit: 1000, Tickets: true})
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			want := map[string][]string{}
			var wantBefore, wantAfter portal.StateCounts
			count := func(c *portal.StateCounts, s string) {
				switch s {
				case portal.StateNone:
					c.None++
				case portal.StateAll:
					c.All++
				default:
					c.Own++
				}
			}
			seen := map[string][2]int{}
			for _, sub := range subjects {
				db, da := portal.Decide(before, schema, sub, now), portal.Decide(after, schema, sub, now)
				sb, sa := stateOf(db), stateOf(da)
				count(&wantBefore, sb)
				count(&wantAfter, sa)
				var g string
				switch {
				case sb == sa:
				case sb == portal.StateNone:
					g = portal.GainAccess
				case sa == portal.StateNone:
					g = portal.LoseAccess
				case sa == portal.StateOwn:
					g = portal.BecomeRestricted
				default:
					g = portal.BecomeUnrestricted
				}
				if g != "" {
					want[g] = append(want[g], sub.User.ID)
				}
				var nb, na int
				for _, tk := range tickets {
					if portal.CanSee(db, sub.User.ID, sub.User.CompanyIDs, tk, "") {
						nb++
					}
					if portal.CanSee(da, sub.User.ID, sub.User.CompanyIDs, tk, "") {
						na++
					}
				}
				seen[sub.User.ID] = [2]int{nb, na}
			}
			ctxMsg := fmt.Sprintf("seed %d, dataset %d, pair %d\nbefore %s\nafter %s", seed, ds, p, before.Canonical(), after.Canonical())
			if res.Before != wantBefore || res.After != wantAfter || res.Users != len(subjects) {
				t.Fatalf("%s\nstates before %+v after %+v, want %+v %+v", ctxMsg, res.Before, res.After, wantBefore, wantAfter)
			}
			for _, g := range portal.ImpactGroups {
				grp := res.Group(g)
				got := []string{}
				for _, u := range grp.Users {
					got = append(got, u.ID)
					if c := seen[u.ID]; *u.TicketsBefore != c[0] || *u.TicketsAfter != c[1] {
						t.Fatalf("%s\n%s: tickets %d → %d, want %d → %d", ctxMsg, u.ID, *u.TicketsBefore, *u.TicketsAfter, c[0], c[1])
					}
				}
				sort.Strings(got)
				w := append([]string{}, want[g]...)
				sort.Strings(w)
				if w == nil {
					w = []string{}
				}
				changed += len(w)
				if d := cmp.Diff(w, got); d != "" || grp.Count != len(w) {
					t.Fatalf("%s\ngroup %s (count %d): sets and brute force disagree (-brute +sets):\n%s", ctxMsg, g, grp.Count, d)
				}
			}
			pairs++
		}
	}
	t.Logf("%d random pairs of settings agreed; %d user changes", pairs, changed)
	if changed == 0 {
		t.Fatal("no pair changed any user: the test proves nothing")
	}
}

// subjectsOf loads every user with their companies.
func subjectsOf(t *testing.T, svc *studio.Service) []portal.Subject {
	t.Helper()
	ctx := context.Background()
	var ids []string
	err := wsOf(svc).Snapshot(ctx, func(portal.SnapshotHeader) error { return nil }, func(r portal.Record) error {
		if r.User != nil {
			ids = append(ids, r.User.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var subs []portal.Subject
	for _, id := range ids {
		u, err := svc.Store.FindUser(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := svc.Store.Subject(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub)
	}
	return subs
}

// TestExplainAgreesWithCanSee explains every (user, ticket) pair of small
// random datasets under random settings: the verdict derived from the
// steps, and the tabs, equal portal.CanSee's.
func TestExplainAgreesWithCanSee(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 13))
	ctx := context.Background()
	pairs, visible := 0, 0
	for ds := 0; ds < 6; ds++ {
		svc, ticketIDs := randomWorkspace(t, r)
		schema, _ := svc.Store.Schema(ctx)
		subjects := subjectsOf(t, svc)
		for k := 0; k < 4; k++ {
			st := randomSettings(r, schema)
			if _, err := svc.Store.ApplyDraft(ctx, st.Canonical()); err != nil {
				// The random draft may enable a portal without its
				// prerequisites: keep the access rules, turn it off.
				st.Portal.Enabled = false
				if _, err := svc.Store.ApplyDraft(ctx, st.Canonical()); err != nil {
					t.Fatal(err)
				}
			}
			draft, _ := svc.Store.Draft(ctx)
			for _, sub := range subjects {
				d := portal.Decide(draft, schema, sub, now)
				for _, id := range ticketIDs {
					tk, err := svc.Store.Ticket(ctx, id)
					if err != nil {
						t.Fatal(err)
					}
					ex, err := svc.Explain(ctx, wire.ExplainRequest{User: sub.User.ID, Ticket: id})
					if err != nil {
						t.Fatalf("seed %d: %v", seed, err)
					}
					want := portal.CanSee(d, sub.User.ID, sub.User.CompanyIDs, tk, "")
					wantTabs := []string{}
					for _, tab := range []string{portal.TabAll, portal.TabMine} {
						if portal.CanSee(d, sub.User.ID, sub.User.CompanyIDs, tk, tab) {
							wantTabs = append(wantTabs, tab)
						}
					}
					if ex.Visible != want || !cmp.Equal(ex.Tabs, wantTabs) || len(ex.Steps) != 6 || ex.Verdict == "" {
						t.Fatalf("seed %d: %s, ticket %s under %s: explain says visible=%v tabs %v (%s), CanSee %v tabs %v",
							seed, sub.User.ID, id, draft.Canonical(), ex.Visible, ex.Tabs, ex.Verdict, want, wantTabs)
					}
					pairs++
					if want {
						visible++
					}
				}
			}
		}
	}
	t.Logf("%d (user, ticket) pairs agreed, %d visible", pairs, visible)
	if visible == 0 {
		t.Fatal("no pair was visible: the test proves nothing")
	}
}
