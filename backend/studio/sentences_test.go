package studio_test

import (
	"context"
	"strings"
	"testing"

	"portalstudio/backend/wire"
)

// The studio says its decisions, explanations, impact and changes with
// the schema's labels (backend/portal/words), beside the fields it always
// had.
func TestSentences(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)

	// Preview: both decisions, and every node of the trace.
	p, err := svc.Preview(ctx, wire.PreviewRequest{User: "ben@examply.com"})
	if err != nil {
		t.Fatal(err)
	}
	if p.AccessSentence != "Has access: the access rule is Everyone." {
		t.Errorf("access sentence %q", p.AccessSentence)
	}
	if p.RestrictedSentence != "Sees only their own tickets: Role is lead — Ben has lead." {
		t.Errorf("restricted sentence %q", p.RestrictedSentence)
	}
	if p.RestrictedReason == "" || !strings.Contains(p.RestrictedReason, "user.role") {
		t.Errorf("the reason of old stays beside the sentence: %q", p.RestrictedReason)
	}
	tr := p.Decision.RestrictedTrace
	if tr == nil || len(tr.Children) != 1 || tr.Children[0].Sentence != "Role is lead — Ben has lead" || tr.Sentence != "All of these" {
		t.Errorf("restricted trace %+v", tr)
	}

	// Explain: the access and restriction steps in words, the others as
	// they were.
	ex, err := svc.Explain(ctx, wire.ExplainRequest{User: "ann@examply.com", Ticket: "102"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ex.Steps {
		want := s.Text
		switch s.Step {
		case "access":
			want = "Has access: the access rule is Everyone."
		case "restriction":
			want = "Sees all company tickets: Role is not lead — Ann has user."
		}
		if s.Sentence != want {
			t.Errorf("step %s: sentence %q, want %q", s.Step, s.Sentence, want)
		}
	}

	// The draft differs from live (the portal off, no rule): the change
	// summary and the impact say so.
	d, err := svc.Diff(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Customer portal: turned on.",
		"Access: now everyone.",
	}
	for _, w := range want {
		if !contains(d.Summary, w) {
			t.Errorf("diff summary %q lacks %q", d.Summary, w)
		}
	}
	if !d.Changed || d.Unified == "" {
		t.Errorf("the unified diff stays: %+v", d)
	}
	im, err := svc.Impact(ctx, wire.ImpactRequest{Tickets: true})
	if err != nil {
		t.Fatal(err)
	}
	if im.GainAccess.Sentence != "3 users gain access" || im.LoseAccess.Sentence != "No user loses access" {
		t.Errorf("group sentences %q, %q", im.GainAccess.Sentence, im.LoseAccess.Sentence)
	}
	for _, u := range im.GainAccess.Users {
		if u.Sentence == "" || !strings.HasPrefix(u.Sentence, u.Name+" had no access; now sees ") || !strings.Contains(u.Sentence, " (0 tickets → ") ||
			!strings.Contains(u.Sentence, "): the access rule is Everyone") {
			t.Errorf("user %s: %q", u.ID, u.Sentence)
		}
	}

	// A rule that fails says the failing condition and whose value.
	if _, err := svc.Store.ApplyDraft(ctx, []byte(`{"portal": {"enabled": true}, "identity_verification": true,
		"access": {"rule": {"all": [{"attribute": "company.name", "operator": "equals", "value": "Globex"}]}}}`)); err != nil {
		t.Fatal(err)
	}
	p, err = svc.Preview(ctx, wire.PreviewRequest{User: "ann@examply.com"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Access || p.AccessSentence != "No access: Company name is not Globex — Examply has Examply." {
		t.Errorf("access %v, sentence %q", p.Access, p.AccessSentence)
	}
	ex, err = svc.Explain(ctx, wire.ExplainRequest{User: "ann@examply.com", Ticket: "101"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Ann does not see ticket #101: they have no access to the portal. Company name is not Globex — Examply has Examply."; ex.Verdict != want {
		t.Errorf("verdict %q, want %q", ex.Verdict, want)
	}
	a, err := svc.Audience(ctx, wire.AudienceRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Sentence != "Company name is Globex" || a.Rule != `company.name equals "Globex"` {
		t.Errorf("audience rule %q, sentence %q", a.Rule, a.Sentence)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
