package intercom_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/intercom"
	"portalstudio/backend/portal"
)

// Written records read back as the same records: what a dataset
// snapshot relies on.
func TestWriteReadsBack(t *testing.T) {
	when := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	recs := []portal.Record{
		{Company: &portal.Company{ID: "c1", CompanyID: "42", Name: "Examply <Inc> & Co", Plan: "Pro", Size: num(120), Industry: "Software",
			Website: "https://examply.com", MonthlySpend: num(99.5), CreatedAt: when,
			Custom: map[string]portal.Value{"seats": {Kind: portal.KindNumber, Num: 1e21}, "renewal_at": {Kind: portal.KindDate, Time: when},
				"region": {Kind: portal.KindString, Str: "EMEA"}, "partner": {Kind: portal.KindBoolean, Bool: false}}}},
		{Company: &portal.Company{ID: "c2"}},
		{User: &portal.User{ID: "u1", ExternalID: "ext-1", Email: "ann@examply.com", Name: "Ann Ünal", Role: "user", CreatedAt: when,
			SignedUpAt: when.Add(time.Hour), LastSeenAt: when.Add(2 * time.Hour), CompanyIDs: []string{"c2", "c1", "gone"},
			Custom: map[string]portal.Value{"birthday": {Kind: portal.KindDate, Time: when.Add(500 * time.Millisecond)}, "n": {Kind: portal.KindNumber, Num: -0.25}}}},
		{User: &portal.User{ID: "u2"}},
		{Ticket: &portal.Ticket{ID: "t1", TicketID: "101", Title: "Export <fails>", Description: "It \"fails\"\nagain", Category: portal.CategoryCustomer,
			IsShared: true, StateCategory: "in_progress", StateLabel: "Working on it", TypeID: "ty", TypeName: "Bug", ContactIDs: []string{"u1", "u2"},
			CompanyID: "c1", CreatedAt: when, UpdatedAt: when.Add(time.Hour), Open: true,
			Parts: []portal.Part{{ID: "p1", PartType: "comment", Body: "<p>Hi &amp; bye</p>", AuthorType: "user", AuthorID: "u1", AuthorName: "Ann", CreatedAt: when},
				{ID: "p2", PartType: "note", Body: "internal", AuthorType: "admin", AuthorID: "a1", AuthorName: "Agent", CreatedAt: when.Add(time.Minute)}}},
			TicketType: &portal.TicketType{ID: "ty", Name: "Bug", Category: portal.CategoryCustomer}},
		{Ticket: &portal.Ticket{ID: "t2", TicketID: "102", Category: portal.CategoryTracker, StateCategory: "submitted", StateLabel: "submitted",
			CreatedAt: when, UpdatedAt: when}},
	}
	var buf bytes.Buffer
	w := intercom.NewWriter(&buf)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got, rej, err := read(t, "snapshot", buf.String())
	if err != nil || len(rej) != 0 {
		t.Fatalf("read back: %v, rejected %v", err, rej)
	}
	for i := range got {
		got[i].Source = portal.Source{}
	}
	if diff := cmp.Diff(recs, got); diff != "" {
		t.Fatalf("records read back differ (-written +read):\n%s", diff)
	}
}

// Every fixture, read, written and read again, gives the same records.
func TestWriteFixtures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(fixtures, "*.json"))
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		first, _, err := read(t, "f", string(b))
		if err != nil {
			continue // the fixtures of broken input
		}
		var buf bytes.Buffer
		w := intercom.NewWriter(&buf)
		for _, r := range first {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		w.Flush()
		again, rej, err := read(t, "f", buf.String())
		if err != nil || len(rej) != 0 {
			t.Fatalf("%s: read back: %v, %v", f, err, rej)
		}
		for i := range first {
			first[i].Source, again[i].Source = portal.Source{}, portal.Source{}
		}
		if diff := cmp.Diff(first, again); diff != "" {
			t.Errorf("%s: differs after a write (-first +again):\n%s", filepath.Base(f), diff)
		}
	}
}
