package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

type impactGroup struct {
	Count int `json:"count"`
	Users []struct {
		ID            string `json:"id"`
		Email         string `json:"email"`
		Before        string `json:"before"`
		After         string `json:"after"`
		TicketsBefore *int   `json:"tickets_before"`
		TicketsAfter  *int   `json:"tickets_after"`
	} `json:"users"`
}

type impactResult struct {
	Users              int         `json:"users"`
	Changed            int         `json:"changed"`
	Summary            string      `json:"summary"`
	GainAccess         impactGroup `json:"gain_access"`
	LoseAccess         impactGroup `json:"lose_access"`
	BecomeRestricted   impactGroup `json:"become_restricted"`
	BecomeUnrestricted impactGroup `json:"become_unrestricted"`
	After              struct {
		None, All, Own int
	} `json:"after"`
}

// The demo draft against live (never synced: the portal off) gives access
// to everyone the access rule matches; the counts agree with `audience`.
func TestImpactCommand(t *testing.T) {
	ws := newDemo(t, "21")
	apply(t, ws, setAccess(cond("user.email", "contains", "examply")))
	var acc audience
	okJSON(t, &acc, "audience", "--workspace", ws)
	var res impactResult
	okJSON(t, &res, "impact", "--workspace", ws, "--limit", "3", "--tickets", "--now", now)
	if res.Users != demoUsers || res.GainAccess.Count != acc.Count || res.Changed != acc.Count || res.LoseAccess.Count != 0 ||
		res.BecomeRestricted.Count != 0 || res.BecomeUnrestricted.Count != 0 || len(res.GainAccess.Users) != min(3, acc.Count) {
		t.Fatalf("impact %+v; audience counts %d", res, acc.Count)
	}
	if res.After.None != demoUsers-acc.Count {
		t.Fatalf("after: %+v", res.After)
	}
	u := res.GainAccess.Users[0]
	if u.Before != "none" || u.After == "none" || u.TicketsBefore == nil || *u.TicketsBefore != 0 || u.TicketsAfter == nil {
		t.Fatalf("first user %+v", u)
	}
	// The same user, alone: their tickets under the draft are the tickets
	// `preview` counts on their first tab.
	var one struct {
		Group        string `json:"group"`
		TicketsAfter int    `json:"tickets_after"`
		Gained       int    `json:"gained"`
	}
	okJSON(t, &one, "impact", "--workspace", ws, "--user", u.ID, "--now", now)
	p := previewOf(t, ws, u.ID, "--now", now)
	if one.Group != "gain_access" || one.TicketsAfter != p.Total || one.Gained != p.Total || *u.TicketsAfter != p.Total {
		t.Fatalf("user impact %+v, preview total %d", one, p.Total)
	}
	// Paging one group.
	var page impactResult
	okJSON(t, &page, "impact", "--workspace", ws, "--group", "gain_access", "--limit", "2", "--offset", "1", "--now", now)
	if len(page.GainAccess.Users) != 2 || page.GainAccess.Users[0].ID != res.GainAccess.Users[1].ID {
		t.Fatalf("page %+v", page.GainAccess)
	}
	out := ok(t, "impact", "--workspace", ws, "--now", now)
	if !strings.Contains(out, "This change gives access to") || !strings.Contains(out, "Gain access (gain_access)") {
		t.Fatalf("human output:\n%s", out)
	}
	fails(t, 2, "impact", "--workspace", ws, "--group", "everyone")
}

// explain agrees with what `preview` lists, for tickets a user sees and
// tickets they do not.
func TestExplainCommand(t *testing.T) {
	ws := newDemo(t, "22")
	users := allUsers(t, ws)
	var seen, hidden int
	for _, u := range users[:12] {
		p := previewOf(t, ws, u.ID, "--now", now, "--limit", "200")
		mine := map[string]bool{}
		for _, tk := range p.Tickets {
			mine[tk.ID] = true
		}
		for _, tk := range p.Tickets[:min(2, len(p.Tickets))] {
			var ex struct {
				Visible bool     `json:"visible"`
				Tabs    []string `json:"tabs"`
				Verdict string   `json:"verdict"`
				Steps   []struct {
					Step string `json:"step"`
					OK   bool   `json:"ok"`
				} `json:"steps"`
			}
			okJSON(t, &ex, "explain", "--workspace", ws, "--user", u.Email, "--ticket", tk.TicketID, "--now", now)
			if !ex.Visible || !strings.Contains(ex.Verdict, " sees ticket #"+tk.TicketID) || len(ex.Steps) != 6 {
				t.Fatalf("%s sees %s in preview; explain says %+v", u.Email, tk.TicketID, ex)
			}
			seen++
		}
		// A ticket another user created and this one does not see.
		var others []ticket
		for _, o := range users[len(users)-6:] {
			others = append(others, previewOf(t, ws, o.ID, "--now", now, "--tab", "mine").Tickets...)
		}
		for _, tk := range others {
			if mine[tk.ID] {
				continue
			}
			var ex struct {
				Visible bool   `json:"visible"`
				Verdict string `json:"verdict"`
			}
			okJSON(t, &ex, "explain", "--workspace", ws, "--user", u.ID, "--ticket", tk.ID, "--now", now)
			if ex.Visible || !strings.Contains(ex.Verdict, "does not see ticket") {
				t.Fatalf("%s does not see %s in preview; explain says %+v", u.Email, tk.ID, ex)
			}
			hidden++
			break
		}
	}
	if seen == 0 || hidden == 0 {
		t.Fatalf("checked %d seen and %d hidden tickets", seen, hidden)
	}
	first := previewOf(t, ws, users[0].ID, "--now", now).Tickets[0].TicketID
	out := ok(t, "explain", "--workspace", ws, "--user", users[0].ID, "--ticket", first, "--now", now, "--settings", "live")
	if !strings.Contains(out, "does not see ticket #"+first) || !strings.Contains(out, "✗ portal") {
		t.Fatalf("under live (portal off):\n%s", out)
	}
	if msg := fails(t, 1, "explain", "--workspace", ws, "--user", users[0].ID, "--ticket", "no-such-ticket"); !strings.Contains(msg, "no ticket") {
		t.Fatalf("missing ticket: %s", msg)
	}
	fails(t, 2, "explain", "--workspace", ws, "--user", users[0].ID)
}

type checkList struct {
	Checks []struct {
		ID   int    `json:"id"`
		Text string `json:"text"`
		Kind string `json:"kind"`
	} `json:"checks"`
}

// Portal tests through the binary: add, list, run (exit 1 on a failure,
// each failure explained), remove, import; and a wrong sentence changes
// nothing.
func TestCheckCommand(t *testing.T) {
	ws := newDemo(t, "23")
	users := allUsers(t, ws)
	a := users[0].Email
	var list checkList
	okJSON(t, &list, "check", "add", "--workspace", ws, a+" can access", "at least 1 user has access")
	if len(list.Checks) != 2 || list.Checks[0].Kind != "can_access" || list.Checks[1].Text != "at least 1 user has access" {
		t.Fatalf("after add: %+v", list)
	}
	out := ok(t, "check", "--workspace", ws, "--now", now)
	if !strings.Contains(out, "2 passed, 0 failed (draft settings)") {
		t.Fatalf("check:\n%s", out)
	}
	// Under live the portal is off: both fail, exit 1, each explained.
	stdout, stderr, code := run(t, "check", "--workspace", ws, "--settings", "live", "--now", now)
	if code != 1 || strings.Count(stdout, "FAIL") != 2 || !strings.Contains(stdout, "No access: the customer portal is off.") || !strings.Contains(stderr, "2 of 2 portal tests fail against the live settings") {
		t.Fatalf("check --settings live: exit %d\n%s\n%s", code, stdout, stderr)
	}
	var rep struct {
		Failed  int `json:"failed"`
		Results []struct {
			Pass    bool   `json:"pass"`
			Message string `json:"message"`
		} `json:"results"`
	}
	stdout, _, code = run(t, "check", "--workspace", ws, "--settings", "live", "--json")
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 1 || rep.Failed != 2 || rep.Results[0].Pass {
		t.Fatalf("check --json: exit %d, %v\n%s", code, err, stdout)
	}
	// A wrong sentence, an unknown user: refused, nothing added.
	if msg := fails(t, 1, "check", "add", "--workspace", ws, "everyone is happy"); !strings.Contains(msg, "is not a portal test") {
		t.Fatalf("bad sentence: %s", msg)
	}
	fails(t, 1, "check", "add", "--workspace", ws, "nobody@nowhere.example can access")
	fails(t, 1, "check", "remove", "--workspace", ws, "999")
	okJSON(t, &list, "check", "list", "--workspace", ws)
	if len(list.Checks) != 2 {
		t.Fatalf("a refused edit changed the tests: %+v", list)
	}
	okJSON(t, &list, "check", "remove", "--workspace", ws, "1")
	if len(list.Checks) != 1 || list.Checks[0].ID != 2 {
		t.Fatalf("after remove: %+v", list)
	}
	// Import replaces them all: plain text, one per line.
	file := writeFile(t, "tests.txt", "# kept in git\n"+a+" can access\nat most 100% of users are restricted\n")
	okJSON(t, &list, "check", "import", file, "--workspace", ws)
	if len(list.Checks) != 2 || list.Checks[1].Kind != "max_restricted_percent" {
		t.Fatalf("after import: %+v", list)
	}
	// What list --json prints imports back unchanged.
	exported := ok(t, "check", "list", "--workspace", ws, "--json")
	var again checkList
	stdout, stderr, code = runStdin(t, exported, "check", "import", "-", "--workspace", ws, "--json")
	if code != 0 || json.Unmarshal([]byte(stdout), &again) != nil || len(again.Checks) != 2 || again.Checks[0].Text != list.Checks[0].Text {
		t.Fatalf("round trip: exit %d %s\n%s", code, stderr, stdout)
	}
	fails(t, 2, "check", "frobnicate", "--workspace", ws)
}
