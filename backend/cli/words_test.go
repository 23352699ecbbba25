package cli_test

import (
	"strings"
	"testing"
)

// The human output of audience, preview and explain says rules and
// decisions in words, with the schema's labels and the values that
// decided them; the rule's internal form (attribute JSON names,
// operator names) stays in --json only.
func TestHumanOutputInWords(t *testing.T) {
	t.Parallel()
	ws := newDemo(t, demoSeed)
	// The demo draft restricts everyone but company admins
	// (user.custom.is_admin equals false).
	var p struct {
		AccessReason       string `json:"access_reason"`
		RestrictedReason   string `json:"restricted_reason"`
		RestrictedSentence string `json:"restricted_sentence"`
		Tickets            []struct {
			TicketID string `json:"ticket_id"`
		} `json:"tickets"`
	}
	okJSON(t, &p, "preview", "--workspace", ws, "--user", "bob.chen@examply.com", "--tab", "mine")
	if !strings.Contains(p.RestrictedReason, "user.custom.is_admin") || p.RestrictedSentence == "" {
		t.Fatalf("--json keeps the rule form beside the sentence: reason %q, sentence %q", p.RestrictedReason, p.RestrictedSentence)
	}
	internal := []string{"user.custom.", "company.custom.", " equals ", " not_equals ", "is_admin"}
	check := func(what, out string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: missing %q in\n%s", what, w, out)
			}
		}
		for _, bad := range internal {
			if strings.Contains(out, bad) {
				t.Errorf("%s shows the rule's internal form %q:\n%s", what, bad, out)
			}
		}
	}
	check("audience --of visibility", ok(t, "audience", "--workspace", ws, "--of", "visibility", "--limit", "1"), "Rule: Is admin is false")
	check("preview", ok(t, "preview", "--workspace", ws, "--user", "bob.chen@examply.com", "--tab", "mine", "--limit", "1"), p.RestrictedSentence)
	if len(p.Tickets) > 0 {
		check("explain", ok(t, "explain", "--workspace", ws, "--user", "bob.chen@examply.com", "--ticket", p.Tickets[0].TicketID), "restriction")
	} else {
		t.Fatal("bob.chen@examply.com has no ticket of his own in the demo: explain is not tried")
	}
}
