package oracle_test

// The oracle property test: random datasets and settings, imported through
// the real import path (Intercom JSON Lines → intercom.Read →
// Workspace.Import) into a real SQLite workspace, then every user asked of
// the engine (studio.PreviewUser, every tab, every page, searches), of the
// portal server's JSON API (httptest, a real identity token per user) and,
// on a subset, of the built binary's `preview --json`; every answer must be
// exactly the oracle's.
//
//	ORACLE_SEED=n    replay one run (the seed is printed on failure)
//	ORACLE_ROUNDS=n  datasets per run (default 50; `make soak` runs 1000)

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"portalstudio/internal/testkit"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/studio"
	"portalstudio/backend/wire"
	"portalstudio/internal/oracle"
	"portalstudio/internal/teststore"
)

var now = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// bin is the built binary (TestMain), for the CLI checks.
var bin, home string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "oracle-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" {
		fmt.Fprintf(os.Stderr, "oracle_test: cannot find the module root: %v\n", err)
		return 1
	}
	bin = filepath.Join(dir, "portalstudio")
	home = filepath.Join(dir, "home")
	_ = os.Mkdir(home, 0o700)
	build := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", bin, "portalstudio")
	build.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "oracle_test: go build: %v\n%s", err, out)
		return 1
	}
	return teststore.Main(m)
}

func envInt(name string, def int64) int64 {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			return n
		}
	}
	return def
}

// stats counts what a run checked.
type stats struct {
	datasets, settings, users, engine, server, cli, searches, tickets, filtered, hidden int
}

func TestOracleProperty(t *testing.T) {
	seed := envInt("ORACLE_SEED", time.Now().UnixNano())
	rounds := int(envInt("ORACLE_ROUNDS", 50))
	if testing.Short() {
		rounds = 5
	}
	var st stats
	defer func() {
		t.Logf("oracle: seed %d, %d datasets, %d settings, %d user decisions; %d engine, %d server, %d CLI answers compared (%d searches, %d ticket pages, %d filtered or sorted, %d hidden-number searches)",
			seed, st.datasets, st.settings, st.users, st.engine, st.server, st.cli, st.searches, st.tickets, st.filtered, st.hidden)
		if t.Failed() {
			t.Logf("replay with: ORACLE_SEED=%d ORACLE_ROUNDS=%d go test -tags sqlite_fts5 -run TestOracleProperty ./internal/oracle/", seed, rounds)
		}
	}()
	for round := 0; round < rounds && !t.Failed(); round++ {
		r := rand.New(rand.NewSource(seed + int64(round)))
		size := oracle.Size{Users: 6 + r.Intn(20), Companies: 1 + r.Intn(6), Tickets: 5 + r.Intn(40)}
		d := oracle.Generate(r, now, size)
		runDataset(t, r, d, round, round%6 == 0, &st)
	}
}

// check is one dataset's workspace and its three clients.
type check struct {
	t     *testing.T
	r     *rand.Rand
	o     *oracle.Oracle
	d     *oracle.Dataset
	ws    teststore.Store
	svc   *studio.Service
	srv   string // portal server URL
	path  string
	st    *portal.Settings
	doc   []byte
	round int
	stats *stats
}

func runDataset(t *testing.T, r *rand.Rand, d *oracle.Dataset, round int, withCLI bool, st *stats) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "workspace.db")
	ws := importDataset(t, ctx, path, d, fmt.Sprintf("round %d", round))
	defer ws.Close()
	hs := servePortal(t, ws)
	defer hs.Close()
	svc := testkit.Service(t, ws)
	svc.Now = func() time.Time { return now }
	o := oracle.New(d)
	st.datasets++
	for k := 0; k < 4 && !t.Failed(); k++ {
		sett := o.RandomSettings(r)
		doc := sett.Canonical()
		if _, err := ws.ApplyDraft(ctx, doc); err != nil {
			t.Fatalf("round %d: apply settings: %v\n%s", round, err, doc)
		}
		if _, err := ws.PutLive(ctx, doc, portal.AnyVersion); err != nil {
			t.Fatalf("round %d: put live: %v\n%s", round, err, doc)
		}
		st.settings++
		c := &check{t: t, r: r, o: o, d: d, ws: ws, svc: svc, srv: hs.URL, path: path, st: sett, doc: doc, round: round, stats: st}
		for i := range d.Users {
			// The CLI reads SQLite workspace files.
			c.user(&d.Users[i], withCLI && i < 4 && teststore.Current.Name == "sqlite")
			if t.Failed() {
				return
			}
		}
		c.ticketPages()
	}
}

// view is one client's answer for one tab (all pages).
type view struct {
	refused    string // "", "forbidden" (no access, or not their tab), "invalid"
	access     bool
	restricted bool
	tabs       []string
	tab        string
	ids        []string
	total      int
	previews   []*wire.Snippet
	facets     wire.Facets // of the first page (every page has the same)
}

// fail reports a disagreement with the minimal facts to reproduce it.
func (c *check) fail(u *portal.User, what string, got, want any) {
	c.t.Helper()
	uj, _ := json.Marshal(u)
	var cos []string
	for _, id := range u.CompanyIDs {
		for _, co := range c.d.Companies {
			if co.ID == id {
				b, _ := json.Marshal(co)
				cos = append(cos, string(b))
			}
		}
	}
	c.t.Fatalf("round %d: %s\n got: %v\nwant: %v\nuser: %s\ncompanies: %s\nsettings (access, visibility, portal):\n%s",
		c.round, what, got, want, uj, strings.Join(cos, "\n           "), settingsFacts(c.doc))
}

func settingsFacts(doc []byte) string {
	var m map[string]any
	_ = json.Unmarshal(doc, &m)
	b, _ := json.Marshal(map[string]any{"portal": m["portal"], "access": m["access"], "visibility": m["visibility"], "preview_column": m["preview_column"]})
	return string(b)
}

func (c *check) ticketFacts(ids []string) string {
	var out []string
	for _, id := range ids {
		if t := c.o.Ticket(id); t != nil {
			out = append(out, fmt.Sprintf("%s{cat %s shared %v creator %v company %q updated %s title %q}", t.ID, t.Category, t.IsShared, t.ContactIDs, t.CompanyID, t.UpdatedAt.Format(time.RFC3339), t.Title))
		}
	}
	return strings.Join(out, "\n  ")
}

func (c *check) user(u *portal.User, withCLI bool) {
	ctx := context.Background()
	a := c.o.Decide(c.st, u, now)
	c.stats.users++
	eu, err := c.ws.FindUser(ctx, u.ID)
	if err != nil {
		c.t.Fatalf("round %d: FindUser %s: %v", c.round, u.ID, err)
	}
	type client struct {
		name string
		list func(tab, q string, limit int, f portal.TicketFilter) view
	}
	tok := c.token(u)
	clients := []client{{"engine", func(tab, q string, limit int, f portal.TicketFilter) view { return c.engine(eu, tab, q, limit, f) }}}
	if tok != "" {
		clients = append(clients, client{"server", func(tab, q string, limit int, f portal.TicketFilter) view { return c.server(tok, tab, q, limit, f) }})
	}
	if withCLI {
		clients = append(clients, client{"cli", func(tab, q string, limit int, f portal.TicketFilter) view { return c.cli(u, tab, q, limit, f) }})
	}
	// Filters, sorts and number searches (issue 19): the same for every
	// client.
	filters := []portal.TicketFilter{c.o.RandomFilter(c.r), c.o.RandomFilter(c.r), c.o.RandomFilter(c.r)}
	filtered := []string{"", c.o.RandomQuery(c.r, a), c.o.RandomNumberQuery(c.r)}
	queries := []string{c.o.RandomQuery(c.r, a), c.o.RandomQuery(c.r, a)}
	for _, cl := range clients {
		// The default tab, then each tab by name.
		for _, tab := range []string{"", "all", "mine"} {
			limit := 1 + c.r.Intn(7)
			if cl.name == "cli" {
				limit = 100
			}
			v := cl.list(tab, "", limit, portal.TicketFilter{})
			c.count(cl.name)
			c.compareList(u, a, cl.name, tab, v, portal.TicketFilter{})
			if c.t.Failed() {
				return
			}
		}
		for _, q := range queries {
			for _, tab := range a.Tabs {
				v := cl.list(tab, q, 1+c.r.Intn(7), portal.TicketFilter{})
				c.count(cl.name)
				c.stats.searches++
				if strings.TrimSpace(q) == "" {
					// A blank query is no search (the list) for the
					// engine, the CLI and the server alike.
					c.compareList(u, a, cl.name, tab, v, portal.TicketFilter{})
				} else {
					c.compareSearch(u, a, cl.name, tab, q, v, portal.TicketFilter{})
				}
				if c.t.Failed() {
					return
				}
			}
		}
		for i, f := range filters {
			q := filtered[i]
			for _, tab := range []string{"", "all", "mine"} {
				if q != "" && tab == "" {
					continue
				}
				limit := 1 + c.r.Intn(7)
				if cl.name == "cli" {
					limit = 100
				}
				v := cl.list(tab, q, limit, f)
				c.count(cl.name)
				c.stats.filtered++
				if strings.TrimSpace(q) == "" {
					c.compareList(u, a, cl.name, tab, v, f)
				} else if !a.Access || (tab == "all" && a.Restricted) {
					c.compareList(u, a, cl.name, tab, v, f) // the same refusal
				} else {
					c.stats.searches++
					c.compareSearch(u, a, cl.name, tab, q, v, f)
				}
				if c.t.Failed() {
					return
				}
			}
		}
	}
	c.hiddenNumber(u, a, eu, tok)
}

// hiddenNumber searches, on each of the user's tabs, for the number of a
// ticket they do not see there and for a number no ticket has: the
// answers (but for the query they echo) must be the same, by the engine
// and by the server.
func (c *check) hiddenNumber(u *portal.User, a oracle.Answer, eu *portal.User, tok string) {
	for _, tab := range a.Tabs {
		seen := map[string]bool{}
		for _, id := range c.o.List(a, tab, portal.TicketFilter{}) {
			seen[id] = true
		}
		var hidden *portal.Ticket
		for i := range c.d.Tickets {
			if t := &c.d.Tickets[i]; !seen[t.ID] {
				hidden = t
				break
			}
		}
		if hidden == nil {
			continue
		}
		c.stats.hidden++
		answer := func(q string) (string, string) {
			res, err := c.svc.PreviewUser(context.Background(), eu, wire.PreviewRequest{Tab: tab, Search: q, Limit: 5, Settings: studio.Draft, Now: now})
			if err != nil {
				c.t.Fatalf("round %d: engine number search %q: %v", c.round, q, err)
			}
			res.Search = ""
			eb, _ := json.Marshal(res)
			sb := ""
			if tok != "" {
				req, _ := http.NewRequest(http.MethodGet, c.srv+"/portal/acme/api/tickets?"+ticketsQuery(tab, q, "", 5, portal.TicketFilter{}), nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					c.t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var m map[string]any
				if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &m) != nil {
					c.t.Fatalf("round %d: server number search %q: %d %s", c.round, q, resp.StatusCode, body)
				}
				delete(m, "search")
				b, _ := json.Marshal(m)
				sb = string(b)
			}
			return string(eb), sb
		}
		he, hs := answer("#" + hidden.TicketID)
		ne, ns := answer("#99999")
		if he != ne || hs != ns {
			c.fail(u, fmt.Sprintf("tab %s: a search for hidden ticket #%s (%s) differs from one for a number no ticket has", tab, hidden.TicketID, hidden.ID),
				he+"\n"+hs, ne+"\n"+ns)
		}
	}
}

func (c *check) count(name string) {
	switch name {
	case "engine":
		c.stats.engine++
	case "server":
		c.stats.server++
	case "cli":
		c.stats.cli++
	}
}

func (c *check) compareList(u *portal.User, a oracle.Answer, who, tab string, v view, f portal.TicketFilter) {
	c.t.Helper()
	where := fmt.Sprintf("%s, user %s, tab %q, filter %v", who, u.ID, tab, f.Values())
	// No access: the engine and the CLI answer access false and no data;
	// the server refuses (403).
	if !a.Access {
		if who == "server" {
			if v.refused != "forbidden" {
				c.fail(u, where+": a user without access must get 403", v.refused, "forbidden")
			}
			return
		}
		if v.refused != "" || v.access || len(v.ids) != 0 || v.total != 0 || len(v.tabs) != 0 {
			c.fail(u, where+": a user without access must see nothing", fmt.Sprintf("%+v", v), "access false, no tabs, no tickets")
		}
		return
	}
	want := a.Tabs[0]
	if tab != "" {
		want = tab
	}
	if tab == "all" && a.Restricted {
		wantRefusal := "invalid"
		if who == "server" {
			wantRefusal = "forbidden"
		}
		if v.refused != wantRefusal {
			c.fail(u, where+": a restricted user asking for the All tab must be refused", v.refused, wantRefusal)
		}
		return
	}
	if v.refused != "" {
		c.fail(u, where+": refused", v.refused, "an answer")
	}
	if !v.access || v.restricted != a.Restricted || !reflect.DeepEqual(v.tabs, a.Tabs) || v.tab != want {
		c.fail(u, where+": decision (access, restricted, tabs, tab)", fmt.Sprint(v.access, v.restricted, v.tabs, v.tab), fmt.Sprint(a.Access, a.Restricted, a.Tabs, want))
	}
	ids := c.o.List(a, want, f)
	got := v.ids
	if got == nil {
		got = []string{}
	}
	if !reflect.DeepEqual(got, ids) || v.total != len(ids) {
		c.fail(u, where+": tickets", fmt.Sprintf("%v (total %d)", got, v.total), fmt.Sprintf("%v (total %d)\n  %s", ids, len(ids), c.ticketFacts(union(got, ids))))
	}
	c.compareFacets(u, where, v, c.o.Facets(a, want, "", f))
	c.stats.tickets++
}

// compareFacets compares a client's facets with the oracle's.
func (c *check) compareFacets(u *portal.User, where string, v view, want oracle.Facets) {
	c.t.Helper()
	w := wire.Facets{State: want.State, Type: []wire.TypeFacet{}}
	for _, t := range want.Types {
		w.Type = append(w.Type, wire.TypeFacet{ID: t.ID, Name: t.Name, Count: t.Count})
	}
	if !reflect.DeepEqual(v.facets, w) {
		c.fail(u, where+": facets", fmt.Sprintf("%+v", v.facets), fmt.Sprintf("%+v", w))
	}
}

var markRE = regexp.MustCompile(`<mark>(.*?)</mark>`)
var agoRE = regexp.MustCompile(`^(now|[0-9]+(m|h|d|w|mo|y))$`)

func (c *check) compareSearch(u *portal.User, a oracle.Answer, who, tab, q string, v view, f portal.TicketFilter) {
	c.t.Helper()
	where := fmt.Sprintf("%s, user %s, tab %q, search %q, filter %v", who, u.ID, tab, q, f.Values())
	if v.refused != "" {
		c.fail(u, where+": refused", v.refused, "an answer")
	}
	sr := c.o.SearchFiltered(a, tab, q, f)
	want := sr.IDs
	if sr.First != "" && (len(v.ids) == 0 || v.ids[0] != sr.First) {
		c.fail(u, where+": the numbered ticket must come first", v.ids, sr.First)
	}
	if sr.Ordered != nil && !reflect.DeepEqual(v.ids, sr.Ordered) {
		c.fail(u, where+": sorted search", v.ids, fmt.Sprintf("%v\n  %s", sr.Ordered, c.ticketFacts(sr.Ordered)))
	}
	c.compareFacets(u, where, v, c.o.Facets(a, tab, q, f))
	got := map[string]bool{}
	for _, id := range v.ids {
		if got[id] {
			c.fail(u, where+": a ticket listed twice", v.ids, want)
		}
		got[id] = true
	}
	if !reflect.DeepEqual(got, want) || v.total != len(want) {
		c.fail(u, where+": search hits", fmt.Sprintf("%v (total %d)", keys(got), v.total), fmt.Sprintf("%v (total %d)\n  terms %q\n  %s", keys(want), len(want), oracle.Terms(q), c.ticketFacts(union(keys(got), keys(want)))))
	}
	// The Preview column: present exactly when the settings show it; every
	// marked word is one of the terms (the last as a prefix).
	terms := oracle.Terms(q)
	wordHits := c.o.Search(a, tab, q) // a ticket found by its number alone may mark nothing
	for i, p := range v.previews {
		if (p != nil) != c.st.PreviewColumn {
			c.fail(u, where+": preview column", p != nil, c.st.PreviewColumn)
		}
		if p == nil {
			continue
		}
		if !agoRE.MatchString(p.Ago) {
			c.fail(u, where+": preview ago", p.Ago, "now, Nm, Nh, Nd, Nw, Nmo or Ny")
		}
		marks := markRE.FindAllStringSubmatch(p.Snippet, -1)
		if len(marks) == 0 && wordHits[v.ids[i]] {
			c.fail(u, where+": preview of "+v.ids[i]+" marks nothing", p.Snippet, "at least one <mark>")
		}
		for _, m := range marks {
			ws := oracle.Words(html.UnescapeString(m[1]))
			if len(ws) != 1 || !oracle.Matches([]string{ws[0]}, anyTerm(terms, ws)) {
				c.fail(u, where+": marked text is not a term", m[1], terms)
			}
		}
		plain := markRE.ReplaceAllString(p.Snippet, "$1")
		if strings.Contains(plain, "<") || len([]rune(html.UnescapeString(plain))) > 162 {
			c.fail(u, where+": snippet is not escaped text of at most 160 characters", p.Snippet, "")
		}
	}
}

// anyTerm returns the one-term query the word w must match: the term it
// equals, else the last term (as a prefix).
func anyTerm(terms, w []string) []string {
	for _, t := range terms {
		if len(w) == 1 && w[0] == t {
			return []string{t}
		}
	}
	if len(terms) == 0 {
		return nil
	}
	return terms[len(terms)-1:]
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range append(append([]string(nil), a...), b...) {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// engine pages through studio.PreviewUser.
func (c *check) engine(u *portal.User, tab, q string, limit int, f portal.TicketFilter) view {
	var v view
	cursor := ""
	for page := 0; page < 1000; page++ {
		res, err := c.svc.PreviewUser(context.Background(), u, wire.PreviewRequest{Tab: tab, Search: q, Cursor: cursor, Limit: limit, Settings: studio.Draft, Now: now,
			TicketFilter: f})
		if err != nil {
			if portal.ErrorCode(err) == portal.EINVALID {
				v.refused = "invalid"
				return v
			}
			c.t.Fatalf("round %d: engine preview %s tab %q q %q: %v", c.round, u.ID, tab, q, err)
		}
		v.access, v.restricted, v.tabs, v.tab, v.total = res.Access, res.Restricted, res.Tabs, res.Tab, res.Total
		if page == 0 {
			v.facets = res.Facets
		} else if !reflect.DeepEqual(res.Facets, v.facets) {
			c.t.Fatalf("round %d: engine: the facets change from page to page: %+v, then %+v", c.round, v.facets, res.Facets)
		}
		for _, tv := range res.Tickets {
			v.ids = append(v.ids, tv.ID)
			v.previews = append(v.previews, tv.Preview)
		}
		if res.Next == "" {
			return v
		}
		cursor = res.Next
	}
	c.t.Fatalf("round %d: engine: more than 1000 pages", c.round)
	return v
}

// token returns an identity token for u: by user_id (external_id) when it
// has one, else by email; "" when it can have none.
func (c *check) token(u *portal.User) string { return identityToken(c.t, u) }

// server pages through GET /portal/acme/api/tickets.
func (c *check) server(tok, tab, q string, limit int, f portal.TicketFilter) view {
	var v view
	cursor := ""
	for page := 0; page < 1000; page++ {
		query := ticketsQuery(tab, q, cursor, limit, f)
		req, _ := http.NewRequest(http.MethodGet, c.srv+"/portal/acme/api/tickets?"+query, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			c.t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
		case http.StatusForbidden:
			v.refused = "forbidden"
			return v
		default:
			c.t.Fatalf("round %d: server %s tab %q q %q: %d %s", c.round, query, tab, q, resp.StatusCode, body)
		}
		var res struct {
			Access     bool              `json:"access"`
			Restricted bool              `json:"restricted"`
			Tabs       []string          `json:"tabs"`
			Tab        string            `json:"tab"`
			Tickets    []wire.TicketView `json:"tickets"`
			Total      int               `json:"total"`
			Next       string            `json:"next"`
			Facets     wire.Facets       `json:"facets"`
			Decision   *json.RawMessage  `json:"decision"`
			Reasons    map[string]string `json:"-"`
		}
		if err := json.Unmarshal(body, &res); err != nil {
			c.t.Fatalf("round %d: server answer: %v\n%s", c.round, err, body)
		}
		if res.Decision != nil || bytes.Contains(body, []byte(`"access_reason"`)) {
			c.t.Fatalf("round %d: the portal API leaks the decision trace or reasons: %s", c.round, body)
		}
		v.access, v.restricted, v.tabs, v.tab, v.total = res.Access, res.Restricted, res.Tabs, res.Tab, res.Total
		if page == 0 {
			v.facets = res.Facets
		}
		for _, tv := range res.Tickets {
			v.ids = append(v.ids, tv.ID)
			v.previews = append(v.previews, tv.Preview)
		}
		if res.Next == "" {
			return v
		}
		cursor = res.Next
	}
	c.t.Fatalf("round %d: server: more than 1000 pages", c.round)
	return v
}

// cli runs the built binary's preview --json (one page of up to 100).
func (c *check) cli(u *portal.User, tab, q string, limit int, f portal.TicketFilter) view {
	args := []string{"preview", "--workspace", c.path, "--user", u.ID, "--json", "--now", now.Format(time.RFC3339), "--limit", "100"}
	for _, name := range portal.FilterParams {
		if x := f.Values().Get(name); x != "" {
			args = append(args, "--"+strings.ReplaceAll(name, "_", "-"), x)
		}
	}
	if tab != "" {
		args = append(args, "--tab", tab)
	}
	if q != "" {
		args = append(args, "--search", q)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var v view
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 && strings.Contains(errOut.String(), "restricted") {
			v.refused = "invalid"
			return v
		}
		c.t.Fatalf("round %d: portalstudio %s: %v\n%s", c.round, strings.Join(args, " "), err, errOut.String())
	}
	var res wire.PreviewResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		c.t.Fatalf("round %d: preview --json: %v\n%s", c.round, err, out.String())
	}
	if res.Total > 100 {
		c.t.Fatalf("round %d: CLI check needs fewer than 100 tickets", c.round)
	}
	v.access, v.restricted, v.tabs, v.tab, v.total, v.facets = res.Access, res.Restricted, res.Tabs, res.Tab, res.Total, res.Facets
	for _, tv := range res.Tickets {
		v.ids = append(v.ids, tv.ID)
		v.previews = append(v.previews, tv.Preview)
	}
	return v
}

// ticketPages opens tickets by id through the server as a few users: 200
// with exactly the customer-visible parts when the oracle says the user
// sees the ticket, else 404 with the one body of a missing ticket.
func (c *check) ticketPages() {
	var notFound []byte
	for i := 0; i < 6; i++ {
		u := &c.d.Users[c.r.Intn(len(c.d.Users))]
		tok := c.token(u)
		if tok == "" {
			continue
		}
		a := c.o.Decide(c.st, u, now)
		visible := map[string]bool{}
		for _, id := range append(append([]string(nil), a.All...), a.Mine...) {
			visible[id] = true
		}
		for j := 0; j < 4; j++ {
			tk := &c.d.Tickets[c.r.Intn(len(c.d.Tickets))]
			id := tk.ID
			if j == 3 {
				id = "no-such-ticket"
			}
			req, _ := http.NewRequest(http.MethodGet, c.srv+"/portal/acme/api/tickets/"+url.PathEscape(id), nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				c.t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			c.stats.server++
			switch {
			case !a.Access:
				if resp.StatusCode != http.StatusForbidden {
					c.fail(u, "ticket page "+id+" for a user without access", resp.StatusCode, 403)
				}
			case visible[id]:
				var det wire.TicketDetail
				if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &det) != nil {
					c.fail(u, "ticket page "+id, fmt.Sprintf("%d %s", resp.StatusCode, body), 200)
				}
				parts := partIDs(det)
				if want := oracle.VisibleParts(tk); !reflect.DeepEqual(parts, want) || det.State != tk.StateLabel {
					c.fail(u, "ticket page "+id+" parts and state", fmt.Sprint(parts, det.State), fmt.Sprint(want, tk.StateLabel))
				}
			default:
				if resp.StatusCode != http.StatusNotFound {
					c.fail(u, "ticket page "+id+" the user may not see", fmt.Sprintf("%d %s", resp.StatusCode, body), 404)
				}
				if notFound == nil {
					notFound = body
				} else if !bytes.Equal(body, notFound) {
					c.fail(u, "ticket page "+id+": 404 bodies differ (existence leak)", string(body), string(notFound))
				}
			}
		}
	}
}
