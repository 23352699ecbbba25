package studio_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/studio"
	"portalstudio/backend/wire"
)

// checkService is newService plus Dan, a user of Examply who created a
// ticket carrying Globex's company.
func checkService(t *testing.T) *studio.Service {
	t.Helper()
	svc := newService(t)
	recs := []portal.Record{
		{User: &portal.User{ID: "u4", Email: "dan@examply.com", Name: "Dan", Role: "user", CompanyIDs: []string{"c1"}}},
		{Ticket: &portal.Ticket{ID: "t5", TicketID: "105", Title: "Cross", Category: portal.CategoryCustomer, IsShared: true,
			ContactIDs: []string{"u4"}, CompanyID: "c2", TypeID: "ty", CreatedAt: now, UpdatedAt: now}},
	}
	if _, err := svc.Store.Import(context.Background(), func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		for _, r := range recs {
			if err := emit(r); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}, portal.ImportOptions{Strict: true}); err != nil {
		t.Fatal(err)
	}
	return svc
}

// Each kind of portal test passes when the expectation holds and fails
// when it does not, against the draft: everyone has access, leads (Ben)
// are restricted; Ann, Ben and Dan are in Examply, Cat in Globex; Dan
// created ticket 105, which carries Globex.
func TestChecksEachKind(t *testing.T) {
	ctx := context.Background()
	svc := checkService(t)
	cases := []struct {
		text string
		pass bool
		says string // in the message
	}{
		{"ann@examply.com can access", true, "Has access: the access rule is Everyone."},
		{"ann@examply.com cannot access", false, "Everyone"},
		{"ben@examply.com is restricted", true, "Sees only their own tickets: Role is lead — Ben has lead."},
		{"ann@examply.com is restricted", false, "Sees all company tickets: Role is not lead — Ann has user."},
		{"ann@examply.com is not restricted", true, ""},
		{"ben@examply.com is not restricted", false, "only their own"},
		{"ann@examply.com sees ticket 102", true, "All tab"},
		{"ben@examply.com sees ticket 101", false, "restricted to their own tickets and did not create it"},
		{"ben@examply.com does not see ticket t1", true, ""},
		{"ann@examply.com does not see ticket #102", false, ""},
		{"cat@globex.io does not see ticket 104", true, "shared with the customer, and this one is not"},
		{"no user of company Globex sees tickets of company Examply", true, "No user of"},
		{"no user of company Examply sees tickets of company Globex", false, "dan@examply.com"},
		{"no user of company c2 sees tickets of company c2", false, "cat@globex.io"},
		{"at most 25% of users are restricted", true, "1 of 4 users"},
		{"at most 20% of users are restricted", false, "25.00%"},
		{"at least 4 users have access", true, "4 of 4"},
		{"at least 5 users have access", false, "4 of 4"},
	}
	var texts []string
	for _, c := range cases {
		texts = append(texts, c.text)
	}
	list, err := svc.AddChecks(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Checks) != len(cases) {
		t.Fatalf("%d checks stored", len(list.Checks))
	}
	rep, err := svc.RunChecks(ctx, studio.Draft)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		o := rep.Results[i]
		if o.Pass != c.pass || !strings.Contains(o.Message, c.says) {
			t.Errorf("%q: pass %v (%s); want pass %v, saying %q", c.text, o.Pass, o.Message, c.pass, c.says)
		}
	}
	wantFailed := 0
	for _, c := range cases {
		if !c.pass {
			wantFailed++
		}
	}
	if rep.Failed != wantFailed || rep.Passed != len(cases)-wantFailed || rep.Settings != studio.Draft {
		t.Errorf("report: %d passed, %d failed", rep.Passed, rep.Failed)
	}

	// Under live (the portal off) nobody has access.
	live, err := svc.RunChecks(ctx, studio.Live)
	if err != nil {
		t.Fatal(err)
	}
	if o := live.Results[0]; o.Pass || o.Message != "No access: the customer portal is off." {
		t.Errorf("can access under live: %+v", o)
	}
	if o := live.Results[16]; o.Pass {
		t.Errorf("at least 4 users have access, under live: %+v", o)
	}

	// Restrict everyone: Dan now sees only his own ticket, which still
	// carries Globex: the isolation test keeps failing, through him only.
	st, _ := svc.Store.Draft(ctx)
	st.Visibility.Conditions = nil
	rep, err = svc.CheckSettings(ctx, st, "pushed", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if o := rep.Results[12]; o.Pass || !strings.Contains(o.Message, "1 created tickets") || strings.Contains(o.Message, "belong to both") {
		t.Errorf("isolation with everyone restricted: %+v", o)
	}
	// Without access for Dan, it passes.
	st.Access.Rule = portal.Cond("user.name", portal.OpNotEquals, "Dan")
	rep, _ = svc.CheckSettings(ctx, st, "pushed", time.Time{})
	if o := rep.Results[12]; !o.Pass {
		t.Errorf("isolation without Dan: %+v", o)
	}
}

func TestChecksEditing(t *testing.T) {
	ctx := context.Background()
	svc := checkService(t)
	t.Run("ErrNotATest", func(t *testing.T) {
		_, err := svc.AddChecks(ctx, []string{"ann@examply.com can access", "ann likes tickets"})
		if portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(err.Error(), "is not a portal test") {
			t.Fatalf("%v", err)
		}
		// The error teaches by example, in sentences, never by a form
		// with placeholders.
		if msg := err.Error(); !strings.Contains(msg, "“at least 100 users have access”") || strings.Contains(msg, "USER") {
			t.Errorf("the error does not show the examples: %s", msg)
		}
		if l, _ := svc.Checks(ctx); len(l.Checks) != 0 {
			t.Fatal("a refused add stored tests")
		}
	})
	t.Run("ErrUnknownNames", func(t *testing.T) {
		for _, text := range []string{"nobody@x.com can access", "ann@examply.com sees ticket 999", "no user of company Nope sees tickets of company c1"} {
			if _, err := svc.AddChecks(ctx, []string{text}); portal.ErrorCode(err) != portal.EINVALID {
				t.Errorf("%q: %v", text, err)
			}
		}
	})
	t.Run("Canonical", func(t *testing.T) {
		c, err := studio.ParseCheck(`  "ann@examply.com"   CAN'T   access `)
		if err != nil || c.Kind != wire.CheckCannotAccess || c.Text != "ann@examply.com cannot access" {
			t.Fatalf("%+v, %v", c, err)
		}
		c, err = studio.ParseCheck("at least 1 users has access")
		if err != nil || c.Text != "at least 1 user has access" || c.Number != 1 {
			t.Fatalf("%+v, %v", c, err)
		}
		if _, err := studio.ParseCheck("at most 120% of users are restricted"); err == nil {
			t.Fatal("120% accepted")
		}
	})
	t.Run("AddRemoveImport", func(t *testing.T) {
		l, err := svc.AddChecks(ctx, []string{"ann@examply.com can access", "at least 1 user has access"})
		if err != nil || len(l.Checks) != 2 {
			t.Fatalf("%+v, %v", l, err)
		}
		if _, err := svc.RemoveChecks(ctx, []int{l.Checks[0].ID, 9999}); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("remove of an unknown id: %v", err)
		}
		if l2, _ := svc.Checks(ctx); len(l2.Checks) != 2 {
			t.Fatal("a refused remove removed tests")
		}
		if l, err = svc.RemoveChecks(ctx, []int{l.Checks[0].ID}); err != nil || len(l.Checks) != 1 || l.Checks[0].Kind != wire.CheckMinAccess {
			t.Fatalf("%+v, %v", l, err)
		}
		for _, doc := range []string{
			`{"checks": [{"id": 7, "text": "ben@examply.com is restricted"}, {"text": "cat@globex.io can access"}]}`,
			`["ben@examply.com is restricted", "cat@globex.io can access"]`,
			"# our portal\nben@examply.com is restricted\n\ncat@globex.io can access\n",
		} {
			l, err := svc.ImportChecks(ctx, []byte(doc))
			if err != nil || len(l.Checks) != 2 || l.Checks[0].Text != "ben@examply.com is restricted" {
				t.Fatalf("import %q: %+v, %v", doc, l, err)
			}
		}
		if _, err := svc.ImportChecks(ctx, []byte(`["ann@examply.com can access", "oops"]`)); portal.ErrorCode(err) != portal.EINVALID {
			t.Fatalf("import with a bad test: %v", err)
		}
		if l, _ := svc.Checks(ctx); len(l.Checks) != 2 || l.Checks[1].Text != "cat@globex.io can access" {
			t.Fatalf("a refused import changed the tests: %+v", l)
		}
	})
}

// UserImpact counts the tickets one user gains or loses.
func TestUserImpact(t *testing.T) {
	ctx := context.Background()
	svc := checkService(t)
	// Live is the default (portal off): Ann gains access, with all of
	// Examply's tickets: 101 (hers), 102 (Ben's), and her unshared 104
	// does not count.
	ui, err := svc.UserImpact(ctx, wire.UserImpactRequest{User: "ann@examply.com"})
	if err != nil {
		t.Fatal(err)
	}
	if ui.Before != portal.StateNone || ui.After != portal.StateAll || ui.Group != portal.GainAccess || ui.TicketsAfter != 2 || ui.Gained != 2 || ui.Lost != 0 {
		t.Fatalf("%+v", ui)
	}
	res, err := svc.Impact(ctx, wire.ImpactRequest{Group: portal.GainAccess, Limit: 2, Offset: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.GainAccess.Count != 4 || len(res.GainAccess.Users) != 2 || res.GainAccess.Users[0].ID != "u2" || res.GainAccess.Offset != 1 ||
		res.Summary != "This change gives access to 4 users." {
		t.Fatalf("%+v", res)
	}
	if _, err := svc.Impact(ctx, wire.ImpactRequest{Group: "nope"}); portal.ErrorCode(err) != portal.EINVALID {
		t.Fatalf("unknown group: %v", err)
	}
}

func TestCompare(t *testing.T) {
	svc := checkService(t)
	res, err := svc.Compare(context.Background(), wire.CompareRequest{A: "ann@examply.com", B: "ben@examply.com"})
	if err != nil {
		t.Fatal(err)
	}
	// Ann sees Examply's shared tickets (101, 102); Ben, restricted, his
	// own (102).
	if res.Both != 1 || res.OnlyACount != 1 || res.OnlyBCount != 0 || res.OnlyA[0].TicketID != "101" || len(res.OnlyB) != 0 {
		t.Fatalf("%+v", res)
	}
	res, err = svc.Compare(context.Background(), wire.CompareRequest{A: "cat@globex.io", B: "dan@examply.com", Settings: studio.Live})
	if err != nil || res.Both != 0 || res.OnlyACount != 0 || res.OnlyBCount != 0 {
		t.Fatalf("under live (portal off): %+v, %v", res, err)
	}
}

// TestCheckExamples: every example the studio shows is a portal test of
// its kind, written as the studio writes it back, and every kind has one.
func TestCheckExamples(t *testing.T) {
	kinds := map[string]bool{}
	for _, e := range wire.CheckExamples {
		c, err := studio.ParseCheck(e.Text)
		if err != nil {
			t.Errorf("example %q: %v", e.Text, err)
			continue
		}
		if c.Kind != e.Kind || c.Text != e.Text {
			t.Errorf("example %q reads as %s %q; want %s, the same text", e.Text, c.Kind, c.Text, e.Kind)
		}
		if e.Says == "" {
			t.Errorf("example %q says nothing", e.Text)
		}
		kinds[e.Kind] = true
	}
	for _, k := range []string{wire.CheckCanAccess, wire.CheckCannotAccess, wire.CheckRestricted, wire.CheckNotRestricted,
		wire.CheckSeesTicket, wire.CheckNotSeesTicket, wire.CheckCompanyIsolate, wire.CheckMaxRestricted, wire.CheckMinAccess} {
		if !kinds[k] {
			t.Errorf("no example of the kind %s", k)
		}
	}
	if len(wire.CheckExamples) != len(kinds) {
		t.Errorf("%d examples of %d kinds; want one each", len(wire.CheckExamples), len(kinds))
	}
}
