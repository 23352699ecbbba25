package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// TestAttributeValuesIncremental: after every import of a random sequence
// (small ones updating and adding users and companies, with values that
// fold alike, empty ones, values of another kind, new custom attributes;
// Replace imports, which delete; imports large enough to count
// everything again), the suggested values' tables hold exactly what
// counting everything again (RefreshAttributeValues) writes: holders,
// the spelling shown, the attributes with too many values. The limit of
// distinct values is lowered so that attributes cross it both ways.
func TestAttributeValuesIncremental(t *testing.T) {
	defer sqlite.SetMaxValues(6)()
	defer sqlite.SetMaxLogged(40)()
	ctx := context.Background()
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(uint64(seed), 17))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	// Few ids, so that imports update; spellings that fold alike.
	roles := []string{"", "Admin", "admin", "ADMIN", "Éditeur", "editeur", "Viewer", "viewer", "Owner", "Guest", "Billing", "Support", "Ops"}
	plans := []string{"", "Pro", "pro", "PRO", "Premium", "Free", "free", "Enterprise"}
	depts := []string{"", "IT", "it", "Finance", "Engineering", "engineering", "Sales", "Legal", "HR", "Ops", "R&D"}
	tiers := []string{"Gold", "gold", "Silver", "Bronze"}
	customValue := func(xs []string) portal.Value {
		switch r.IntN(8) {
		case 0:
			return portal.Value{Kind: portal.KindNumber, Num: float64(r.IntN(3))} // another kind: unset
		case 1:
			return portal.Value{}
		}
		return portal.StringValue(pick(xs...))
	}
	user := func() portal.Record {
		i := r.IntN(60)
		u := &portal.User{ID: fmt.Sprint("u", i), Role: pick(roles...), Name: pick("Ann", "ann", "Bob", "", fmt.Sprint("N", r.IntN(20))),
			Email:  pick("", fmt.Sprintf("u%d@example.com", i), fmt.Sprintf("U%d@Example.com", r.IntN(60))),
			Custom: map[string]portal.Value{"dept": customValue(depts)}}
		if r.IntN(3) == 0 {
			u.Custom[pick("team", "badge", "dept")] = customValue(tiers)
		}
		if r.IntN(4) == 0 {
			u.CompanyIDs = []string{fmt.Sprint("c", r.IntN(20))}
		}
		return portal.Record{User: u}
	}
	company := func() portal.Record {
		c := &portal.Company{ID: fmt.Sprint("c", r.IntN(20)), Plan: pick(plans...), Name: pick("Acme", "acme", "Globex", fmt.Sprint("C", r.IntN(10))),
			Industry: pick("", "Retail", "retail", "Games"), Custom: map[string]portal.Value{"tier": customValue(tiers)}}
		if r.IntN(3) == 0 {
			c.Custom["region"] = customValue(depts)
		}
		return portal.Record{Company: c}
	}
	ws := MustOpen(t)
	var small, large, replaced int
	for step := range 60 {
		n := 1 + r.IntN(12)
		opt := portal.ImportOptions{}
		switch k := r.IntN(10); {
		case k == 0:
			opt.Replace = true
			replaced++
		case k == 1:
			n = 45 + r.IntN(20) // more than SetMaxLogged lists
			large++
		default:
			small++
		}
		var recs []portal.Record
		seen := map[string]bool{}
		for range n {
			rec := user()
			if r.IntN(3) == 0 {
				rec = company()
			}
			// A Replace import loads in bulk: an id once.
			if id := rec.ID(); opt.Replace && seen[id] {
				continue
			} else {
				seen[id] = true
			}
			recs = append(recs, rec)
		}
		if _, err := ws.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
			for _, rec := range recs {
				if err := emit(rec); err != nil {
					return nil, err
				}
			}
			return nil, nil
		}, opt); err != nil {
			t.Fatalf("step %d: import: %v", step, err)
		}
		got, err := ws.AttributeValuesTables(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := ws.RefreshAttributeValues(ctx); err != nil {
			t.Fatal(err)
		}
		want, err := ws.AttributeValuesTables(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("step %d (%d records, replace %v): the tables kept in step differ from a count of everything:\n%s", step, len(recs), opt.Replace, lineDiff(got, want))
		}
	}
	t.Logf("%d small imports, %d large, %d replacing", small, large, replaced)
}

// lineDiff lists the lines only a has (-) and only b has (+).
func lineDiff(a, b []string) string {
	var out string
	for _, l := range a {
		if !slices.Contains(b, l) {
			out += "- " + l + "\n"
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			out += "+ " + l + "\n"
		}
	}
	return out
}
