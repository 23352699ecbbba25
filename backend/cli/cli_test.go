package cli_test

// End-to-end tests of the command line: TestMain builds the real binary
// once, and every test runs it on temporary workspaces, as a script would.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"portalstudio/internal/pgtest"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// bin is the binary under test; home is the HOME / XDG_CONFIG_HOME it runs
// with, so no test can touch the real default workspace.
var bin, home string

// fixtures holds real Intercom REST API objects.
var fixtures = filepath.Join("..", "..", "testdata", "intercom-api")

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "portalstudio-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" || strings.TrimSpace(string(gomod)) == os.DevNull {
		fmt.Fprintf(os.Stderr, "cli_test: cannot find the module root (go env GOMOD: %q, %v)\n", gomod, err)
		return 1
	}
	bin = filepath.Join(dir, "portalstudio")
	home = filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	build := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", bin, "portalstudio")
	build.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "cli_test: go build: %v\n%s", err, out)
		return 1
	}
	// The replicas' tests start a throwaway PostgreSQL cluster: stopped
	// at the end.
	return pgtest.Main(m)
}

// run runs the binary and returns what it printed and its exit code.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runStdin(t, "", args...)
}

// runStdin runs the binary with stdin.
func runStdin(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code = 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("portalstudio %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	return out.String(), errOut.String(), code
}

// ok runs a command that must succeed and returns its stdout.
func ok(t *testing.T, args ...string) string {
	t.Helper()
	stdout, stderr, code := run(t, args...)
	if code != 0 {
		t.Fatalf("portalstudio %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// okJSON runs a command with --json that must succeed and decodes its
// output into v.
func okJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out := ok(t, append(args, "--json")...)
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("portalstudio %s --json: not JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
	if dec.More() {
		t.Fatalf("portalstudio %s --json: more than one JSON document:\n%s", strings.Join(args, " "), out)
	}
}

// fails runs a command that must exit with code and write exactly one line
// to stderr (and nothing to stdout); it returns that line.
func fails(t *testing.T, code int, args ...string) string {
	t.Helper()
	stdout, stderr, got := run(t, args...)
	return checkFailure(t, code, stdout, stderr, got, args)
}

func checkFailure(t *testing.T, code int, stdout, stderr string, got int, args []string) string {
	t.Helper()
	cmdline := "portalstudio " + strings.Join(args, " ")
	if got != code {
		t.Fatalf("%s: exit %d, want %d; stdout:\n%s\nstderr:\n%s", cmdline, got, code, stdout, stderr)
	}
	if n := strings.Count(stderr, "\n"); n != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("%s: stderr has %d lines, want exactly one:\n%s", cmdline, n, stderr)
	}
	if stdout != "" {
		t.Errorf("%s: a failing command printed to stdout:\n%s", cmdline, stdout)
	}
	return strings.TrimSuffix(stderr, "\n")
}

const (
	demoUsers   = 50
	demoTickets = 120
	demoSeed    = "3"
	// now is a fixed time after the demo dataset's last activity.
	now = "2026-11-02T00:00:00Z"
)

// newDemo creates a small demo workspace named ws.db in a new folder (the
// portal URL's slug comes from the file name, so every demo workspace has
// the same one).
func newDemo(t *testing.T, seed string) string {
	t.Helper()
	ws := filepath.Join(t.TempDir(), "ws.db")
	ok(t, "demo", "--workspace", ws, "--users", fmt.Sprint(demoUsers), "--companies", "5", "--tickets", fmt.Sprint(demoTickets), "--seed", seed)
	return ws
}

// fixture returns the path of a fixture file.
func fixture(name string) string { return filepath.Join(fixtures, name) }

func fixtureFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(fixtures, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in %s (%v)", fixtures, err)
	}
	sort.Strings(files)
	return files
}

// writeFile writes a file in the test's temporary folder.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// draft returns the draft settings as decoded JSON.
func draft(t *testing.T, ws string) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(ok(t, "settings", "show", "--workspace", ws)), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// docFile returns the draft of ws changed by edit, as a settings file.
func docFile(t *testing.T, ws string, edit func(doc map[string]any)) string {
	t.Helper()
	doc := draft(t, ws)
	edit(doc)
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "settings.json", string(b))
}

// apply changes the draft of ws with edit through `settings apply`.
func apply(t *testing.T, ws string, edit func(doc map[string]any)) {
	t.Helper()
	ok(t, "settings", "apply", docFile(t, ws, edit), "--workspace", ws)
}

// obj returns doc[key] as an object.
func obj(doc map[string]any, key string) map[string]any { return doc[key].(map[string]any) }

func everyone() map[string]any { return map[string]any{"all": []any{}} }

func setAccess(rule any) func(map[string]any) {
	return func(doc map[string]any) { obj(doc, "access")["rule"] = rule }
}

func cond(attr, op string, value any) map[string]any {
	return map[string]any{"attribute": attr, "operator": op, "value": value}
}

// The JSON answers, as the tests read them.
type user struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

type audience struct {
	Count int    `json:"count"`
	Users []user `json:"users"`
	Rule  string `json:"rule"`
	Note  string `json:"note"`
}

type ticket struct {
	ID        string    `json:"id"`
	TicketID  string    `json:"ticket_id"`
	Title     string    `json:"title"`
	State     string    `json:"state"`
	UpdatedAt time.Time `json:"updated_at"`
	CreatedBy string    `json:"created_by"`
	Preview   *struct {
		Snippet string `json:"snippet"`
		Author  string `json:"author"`
		Ago     string `json:"ago"`
	} `json:"preview"`
}

type preview struct {
	User struct {
		ID    string `json:"id"`
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"user"`
	Access           bool     `json:"access"`
	AccessReason     string   `json:"access_reason"`
	Restricted       bool     `json:"restricted"`
	RestrictedReason string   `json:"restricted_reason"`
	Tabs             []string `json:"tabs"`
	Tab              string   `json:"tab"`
	Tickets          []ticket `json:"tickets"`
	Total            int      `json:"total"`
	Next             string   `json:"next"`
}

func allUsers(t *testing.T, ws string) []user {
	t.Helper()
	var a audience
	okJSON(t, &a, "audience", "--workspace", ws, "--limit", "1000")
	if a.Rule != "everyone" || a.Count != len(a.Users) {
		t.Fatalf("allUsers needs the Everyone rule and at most 1000 users: rule %q, count %d, listed %d", a.Rule, a.Count, len(a.Users))
	}
	return a.Users
}

func TestDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws.db")
	args := []string{"demo", "--workspace", ws, "--users", "50", "--companies", "5", "--tickets", "120", "--seed", "3"}

	out := ok(t, args...)
	if !strings.Contains(out, "5 companies, 50 users, 120 tickets") {
		t.Errorf("demo printed %q, want the counts", out)
	}
	var before audience
	okJSON(t, &before, "audience", "--workspace", ws, "--limit", "1000")
	if before.Count != 50 {
		t.Fatalf("demo workspace: audience count %d, want 50 (the demo draft lets everyone in)", before.Count)
	}

	// A second demo, even with another seed, is refused and changes nothing.
	again := append(append([]string{}, args[:len(args)-1]...), "4")
	msg := fails(t, 1, again...)
	if !strings.Contains(msg, "--replace") {
		t.Errorf("second demo: stderr %q does not mention --replace", msg)
	}
	var after audience
	okJSON(t, &after, "audience", "--workspace", ws, "--limit", "1000")
	if !reflect.DeepEqual(before, after) {
		t.Errorf("a refused demo changed the workspace")
	}

	// --replace with seed 4 gives exactly the workspace a fresh seed 4 demo does.
	var rep struct {
		Contacts, Companies, Tickets, Parts *int
		Committed                           bool
	}
	okJSON(t, &rep, append(again, "--replace")...)
	if rep.Contacts == nil || rep.Companies == nil || rep.Tickets == nil || rep.Parts == nil {
		t.Fatalf("demo --json: missing counts: %+v", rep)
	}
	if *rep.Contacts != 50 || *rep.Companies != 5 || *rep.Tickets != 120 || *rep.Parts <= 0 || !rep.Committed {
		t.Errorf("demo --json: contacts %d, companies %d, tickets %d, parts %d, committed %v; want 50, 5, 120, >0, true",
			*rep.Contacts, *rep.Companies, *rep.Tickets, *rep.Parts, rep.Committed)
	}
	fresh := newDemo(t, "4")
	for _, cmd := range [][]string{
		{"audience", "--limit", "1000"},
		{"preview", "--user", "alice.martin@examply.com", "--limit", "200"},
	} {
		a := ok(t, append(cmd, "--workspace", ws, "--json")...)
		b := ok(t, append(cmd, "--workspace", fresh, "--json")...)
		if a != b {
			t.Errorf("%s: demo --replace --seed 4 differs from a fresh seed 4 demo", cmd[0])
		}
	}
}

func TestDemoIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b, other := newDemo(t, demoSeed), newDemo(t, demoSeed), newDemo(t, "4")
	cmds := [][]string{
		{"audience", "--limit", "1000"},
		{"audience", "--of", "visibility", "--limit", "1000"},
		{"preview", "--user", "alice.martin@examply.com", "--limit", "200"},
		{"preview", "--user", "bob.chen@examply.com", "--limit", "200"},
		{"preview", "--user", "alice.martin@examply.com", "--search", "invoice", "--now", now},
		{"settings", "show"},
	}
	differs := false
	for _, cmd := range cmds {
		outA := ok(t, append(cmd, "--workspace", a, "--json")...)
		outB := ok(t, append(cmd, "--workspace", b, "--json")...)
		if outA != outB {
			t.Errorf("%s: two demos with seed %s differ:\n%s\n----\n%s", strings.Join(cmd, " "), demoSeed, outA, outB)
		}
		if ok(t, append(cmd, "--workspace", other, "--json")...) != outA {
			differs = true
		}
	}
	if !differs {
		t.Errorf("seed 4 gives the same answers as seed %s: the comparison proves nothing", demoSeed)
	}
}

func TestImportEachFixture(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"companies_list.json":    "Imported 0 contacts, 1 companies, 0 tickets (0 parts).",
		"company.json":           "Imported 0 contacts, 1 companies, 0 tickets (0 parts).",
		"contact.json":           "Imported 1 contacts, 0 companies, 0 tickets (0 parts).",
		"contact_companies.json": "Imported 0 contacts, 1 companies, 0 tickets (0 parts).",
		"ticket.json":            "Imported 0 contacts, 0 companies, 1 tickets (1 parts).",
		"tickets_search.json":    "Imported 0 contacts, 0 companies, 1 tickets (1 parts).",
	}
	for _, file := range fixtureFiles(t) {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ws := filepath.Join(t.TempDir(), "ws.db")
			stdout, stderr, code := run(t, "import", "--workspace", ws, file)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			w, known := want[name]
			if !known {
				t.Fatalf("a new fixture: add its counts to the test (it printed %q)", stdout)
			}
			if strings.TrimSpace(stdout) != w {
				t.Errorf("printed %q, want %q", stdout, w)
			}
			var rep struct{ Contacts, Companies, Tickets int }
			okJSON(t, &rep, "import", "--workspace", filepath.Join(t.TempDir(), "ws.db"), file)
			if got := fmt.Sprintf("Imported %d contacts, %d companies, %d tickets", rep.Contacts, rep.Companies, rep.Tickets); !strings.HasPrefix(w, got) {
				t.Errorf("--json counts %q disagree with the text %q", got, w)
			}
		})
	}
}

// datasetCounts reads how many users, companies and tickets a workspace
// holds from demo's refusal to overwrite it ("" when it holds none).
func datasetCounts(t *testing.T, ws string) string {
	t.Helper()
	probe := append([]string{}, "demo", "--workspace", ws, "--users", "1", "--companies", "1", "--tickets", "1")
	stdout, stderr, code := run(t, probe...)
	if code == 0 {
		t.Fatalf("datasetCounts: the workspace was empty, and demo has now filled it: %s", stdout)
	}
	m := regexp.MustCompile(`\((\d+ users, \d+ companies, \d+ tickets)\)`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("datasetCounts: demo said %q", stderr)
	}
	return m[1]
}

// accessCount applies an Everyone access rule and counts the users.
func accessCount(t *testing.T, ws string) int {
	t.Helper()
	apply(t, ws, setAccess(everyone()))
	var a audience
	okJSON(t, &a, "audience", "--workspace", ws)
	return a.Count
}

func TestImportAllFixtures(t *testing.T) {
	t.Parallel()
	ws := filepath.Join(t.TempDir(), "ws.db")
	files := fixtureFiles(t)
	args := append([]string{"import", "--workspace", ws}, files...)
	stdout, stderr, code := run(t, args...)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("stderr has %d lines, want the one rejected record and the final line:\n%s", len(lines), stderr)
	}
	rej := regexp.MustCompile(`^rejected: (.+contact_companies\.json):(\d+): .*company_id "1"`).FindStringSubmatch(lines[0])
	if rej == nil {
		t.Errorf("rejection %q does not name contact_companies.json:LINE and company_id \"1\"", lines[0])
	} else if rej[2] != "4" {
		t.Errorf("rejection names line %s; the rejected company starts on line 4", rej[2])
	}
	if !strings.Contains(lines[1], "1 record(s) were rejected") || !strings.Contains(lines[1], "other records were imported") {
		t.Errorf("final line %q", lines[1])
	}
	if !strings.Contains(stdout, "Imported 1 contacts, 2 companies, 2 tickets (2 parts).") {
		t.Errorf("stdout %q, want the counts of the records that were written", stdout)
	}

	// The other records WERE written.
	if got := datasetCounts(t, ws); got != "1 users, 2 companies, 2 tickets" {
		t.Errorf("workspace holds %s, want 1 users, 2 companies, 2 tickets", got)
	}
	var a audience
	apply(t, ws, setAccess(everyone()))
	okJSON(t, &a, "audience", "--workspace", ws)
	if a.Count != 1 || len(a.Users) != 1 || a.Users[0].Email != "joe@bloggs.com" {
		t.Errorf("audience after import: %+v, want Joe Bloggs only", a)
	}
	// company.json's company holds company_id "1": importing the
	// conflicting file again is rejected again.
	_, stderr, code = run(t, "import", "--workspace", ws, fixture("contact_companies.json"))
	if code != 1 || !strings.Contains(stderr, `company_id "1"`) {
		t.Errorf("re-importing contact_companies.json: exit %d, stderr %q; want the company_id conflict", code, stderr)
	}
	// The --json report lists the rejection too.
	var rep struct {
		Rejected []json.RawMessage `json:"rejected"`
	}
	stdout, stderr, code = run(t, append(args, "--json")...)
	if code != 1 || json.Unmarshal([]byte(stdout), &rep) != nil || len(rep.Rejected) != 1 {
		t.Errorf("import --json: exit %d, stdout %q, stderr %q; want a report with one rejection", code, stdout, stderr)
	}
}

func TestImportStrict(t *testing.T) {
	t.Parallel()
	ws := filepath.Join(t.TempDir(), "ws.db")
	args := append([]string{"import", "--workspace", ws, "--strict"}, fixtureFiles(t)...)
	stdout, stderr, code := run(t, args...)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("a refused --strict import printed %q", stdout)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "contact_companies.json:4") || !strings.Contains(lines[1], "nothing was imported") {
		t.Errorf("stderr, want the rejection and a final line saying nothing was imported:\n%s", stderr)
	}
	if n := accessCount(t, ws); n != 0 {
		t.Errorf("after a refused --strict import, Everyone matches %d users, want 0", n)
	}
	// company.json's company was not written either: contact_companies.json
	// now imports without a conflict.
	ok(t, "import", "--workspace", ws, fixture("contact_companies.json"))
	if got := datasetCounts(t, ws); got != "0 users, 1 companies, 0 tickets" {
		t.Errorf("workspace holds %s, want only the company just imported", got)
	}
}

func TestImportMalformed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, content string
		line          int
	}{
		{"truncated.json", "{\n  \"type\": \"contact\",\n  \"id\": \"x1\",\n  \"email\": \n", 4},
		{"lines.jsonl", `{"type":"contact","id":"x1","email":"x1@example.com"}` + "\n" + `{"type":"contact","id":"x2",` + "\n", 2},
		{"array.jsonl", `{"type":"contact","id":"x1"}` + "\n" + `{"type":"contact","id":"x2"}` + "\n[1,\n", 3},
		{"garbage.json", "hello\n", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ws := filepath.Join(t.TempDir(), "ws.db")
			bad := writeFile(t, c.name, c.content)
			// A good file before the bad one: the whole import is one
			// transaction, so it is not written either.
			msg := fails(t, 1, "import", "--workspace", ws, fixture("contact.json"), bad)
			if want := fmt.Sprintf("%s:%d:", bad, c.line); !strings.Contains(msg, want) {
				t.Errorf("stderr %q does not name %s", msg, want)
			}
			if n := accessCount(t, ws); n != 0 {
				t.Errorf("a failed import wrote %d users", n)
			}
		})
	}
}

func TestImportMissingFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws.db")
	missing := filepath.Join(dir, "nosuch.json")
	msg := fails(t, 1, "import", "--workspace", ws, fixture("contact.json"), missing)
	if !strings.Contains(msg, missing) || !strings.Contains(msg, "no such file") {
		t.Errorf("stderr %q, want the file's name and why", msg)
	}
	if _, err := os.Stat(ws); err == nil {
		t.Errorf("a failed import created the workspace")
	}
	msg = fails(t, 1, "import", "--workspace", ws, dir)
	if !strings.Contains(msg, "folder") {
		t.Errorf("importing a folder: %q", msg)
	}
}

func TestImportIsIdempotent(t *testing.T) {
	t.Parallel()
	ws := filepath.Join(t.TempDir(), "ws.db")
	var lines []string
	for i := range 3 {
		lines = append(lines, fmt.Sprintf(`{"type":"contact","id":"c%d","external_id":"e%d","email":"user%d@example.com","name":"User %d"}`, i, i, i, i))
	}
	contacts := writeFile(t, "contacts.jsonl", strings.Join(lines, "\n")+"\n")
	files := []string{contacts, fixture("contact.json"), fixture("company.json"), fixture("ticket.json")}
	first := ok(t, append([]string{"import", "--workspace", ws}, files...)...)
	n1, c1 := accessCount(t, ws), datasetCounts(t, ws)
	second := ok(t, append([]string{"import", "--workspace", ws}, files...)...)
	n2, c2 := accessCount(t, ws), datasetCounts(t, ws)
	if n1 != 4 || n2 != n1 || c2 != c1 {
		t.Errorf("import twice: %d users (%s), then %d users (%s); want 4 both times", n1, c1, n2, c2)
	}
	if first != second {
		t.Errorf("the same import reported %q, then %q", first, second)
	}
	// Upsert by id: a changed record replaces the old one.
	changed := writeFile(t, "changed.json", `{"type":"contact","id":"c1","external_id":"e1","email":"renamed@example.com","name":"Renamed"}`)
	ok(t, "import", "--workspace", ws, changed)
	users := allUsers(t, ws)
	emails := map[string]string{}
	for _, u := range users {
		emails[u.ID] = u.Email
	}
	if len(users) != 4 || emails["c1"] != "renamed@example.com" {
		t.Errorf("after re-importing c1 with a new email: %+v", users)
	}
}

// topKeys returns the top-level keys of a JSON object, in order.
func topKeys(t *testing.T, doc string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(doc))
	var keys []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			continue
		case json.Delim('}'), json.Delim(']'):
			depth--
			continue
		}
		if depth == 1 {
			k, _ := tok.(string)
			keys = append(keys, k)
			// Skip the value.
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
		}
	}
	return keys
}

func TestSettingsShow(t *testing.T) {
	t.Parallel()
	ws := newDemo(t, demoSeed)
	show := ok(t, "settings", "show", "--workspace", ws)
	want := []string{"version", "portal", "access", "visibility", "preview_column", "help_center", "messenger", "identity_verification"}
	if got := topKeys(t, show); !reflect.DeepEqual(got, want) {
		t.Errorf("keys %v, want %v", got, want)
	}
	// Two-space indent: re-indenting the document changes nothing.
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(show), "", "  "); err != nil {
		t.Fatal(err)
	}
	if buf.String() != show || !strings.HasPrefix(show, "{\n  \"version\": ") {
		t.Errorf("not two-space indented:\n%s", show)
	}
	// Canonical: applying it back changes nothing, and flags may stand
	// before the subcommand.
	ok(t, "settings", "apply", writeFile(t, "s.json", show), "--workspace", ws)
	if again := ok(t, "settings", "--workspace", ws, "show"); again != show {
		t.Errorf("show after applying show's output:\n%s\nwant:\n%s", again, show)
	}
	live := ok(t, "settings", "show", "--settings", "live", "--workspace", ws)
	if live == show || !reflect.DeepEqual(topKeys(t, live), want) {
		t.Errorf("--settings live: %s", live)
	}
}

func TestSettingsValidateAndApplyReject(t *testing.T) {
	t.Parallel()
	ws := newDemo(t, demoSeed)
	cases := []struct {
		name  string
		edit  func(doc map[string]any)
		paths []string // each must be named, with a colon after it
	}{
		{"unknown attribute", setAccess(map[string]any{"all": []any{cond("user.nosuch", "equals", "x")}}),
			[]string{"access.rule.all[0].attribute"}},
		{"string for a number", setAccess(map[string]any{"all": []any{cond("company.size", "greater_than", "ten")}}),
			[]string{"access.rule.all[0].value"}},
		{"unknown field", func(doc map[string]any) { doc["bogus"] = 1 }, []string{"bogus"}},
		{"nested", setAccess(map[string]any{"all": []any{
			cond("user.email", "contains", "examply.com"),
			map[string]any{"any": []any{cond("company.plan", "equals", "Pro"), cond("company.size", "greater_than", "10")}},
		}}), []string{"access.rule.all[1].any[1].value"}},
		{"all at once", func(doc map[string]any) {
			setAccess(map[string]any{"all": []any{cond("user.nosuch", "equals", "x"), cond("company.size", "greater_than", "ten")}})(doc)
			doc["bogus"] = true
			obj(doc, "visibility")["restrict"] = true
		}, []string{"access.rule.all[0].attribute", "access.rule.all[1].value", "bogus", "visibility.restrict"}},
	}
	before := ok(t, "settings", "show", "--workspace", ws)
	for _, c := range cases {
		file := docFile(t, ws, c.edit)
		for _, sub := range []string{"validate", "apply"} {
			msg := fails(t, 1, "settings", sub, file, "--workspace", ws)
			for _, p := range c.paths {
				if !strings.Contains(msg, p+":") {
					t.Errorf("%s, %s: %q does not name %s", c.name, sub, msg, p)
				}
			}
			if after := ok(t, "settings", "show", "--workspace", ws); after != before {
				t.Errorf("%s: a refused %s changed the draft", c.name, sub)
			}
		}
	}
}

func TestSettingsValidateAndApply(t *testing.T) {
	t.Parallel()
	ws := newDemo(t, demoSeed)
	before := ok(t, "settings", "show", "--workspace", ws)
	file := docFile(t, ws, func(doc map[string]any) {
		doc["preview_column"] = false
		doc["version"] = 42 // set by the server; ignored
		setAccess(map[string]any{"all": []any{cond("user.email", "ends_with", "examply.com")}})(doc)
	})

	out := ok(t, "settings", "validate", file, "--workspace", ws)
	if !strings.Contains(out, "is valid") {
		t.Errorf("validate printed %q", out)
	}
	var v struct {
		Valid, Applied bool
	}
	okJSON(t, &v, "settings", "validate", file, "--workspace", ws)
	if !v.Valid || v.Applied {
		t.Errorf("validate --json: %+v", v)
	}
	if after := ok(t, "settings", "show", "--workspace", ws); after != before {
		t.Fatalf("validate changed the draft:\n%s", after)
	}
	// Validating writes nothing, not even a new workspace.
	nows := filepath.Join(t.TempDir(), "none.db")
	if msg := fails(t, 1, "settings", "validate", file, "--workspace", nows); !strings.Contains(msg, "no workspace") {
		t.Errorf("validate on a missing workspace: %q", msg)
	}
	if _, err := os.Stat(nows); err == nil {
		t.Errorf("settings validate created a workspace")
	}

	ok(t, "settings", "apply", file, "--workspace", ws)
	doc := draft(t, ws)
	rule, _ := json.Marshal(obj(doc, "access")["rule"])
	if doc["preview_column"] != false || doc["version"] != 0.0 || !strings.Contains(string(rule), `"ends_with"`) {
		t.Errorf("draft after apply: preview_column %v, version %v, access rule %s", doc["preview_column"], doc["version"], rule)
	}

	// "-" reads stdin.
	stdin, err := os.ReadFile(docFile(t, ws, func(doc map[string]any) { doc["preview_column"] = true }))
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runStdin(t, string(stdin), "settings", "apply", "-", "--workspace", ws)
	if code != 0 {
		t.Fatalf("apply -: exit %d, %s", code, stderr)
	}
	if !strings.Contains(stdout, "Applied") || draft(t, ws)["preview_column"] != true {
		t.Errorf("apply - did not change the draft: %s", stdout)
	}
	stdout, stderr, code = runStdin(t, "{not json", "settings", "validate", "-", "--workspace", ws)
	checkFailure(t, 1, stdout, stderr, code, []string{"settings", "validate", "-", "--workspace", ws})
}

func TestEnablePrerequisites(t *testing.T) {
	t.Parallel()
	ws := filepath.Join(t.TempDir(), "ws.db")
	ok(t, "import", "--workspace", ws, fixture("contact.json"), fixture("company.json"), fixture("ticket.json"), fixture("tickets_search.json"))
	cases := []struct {
		name        string
		live, ident bool
		want        []string
		notWant     []string
	}{
		{"only the ticket type missing", true, true,
			[]string{"ticket type of category Customer"},
			[]string{"Help Center", "identity_verification"}},
		{"everything missing", false, false,
			[]string{"ticket type of category Customer", "Help Center is not live", "identity_verification"}, nil},
	}
	before := ok(t, "settings", "show", "--workspace", ws)
	for _, c := range cases {
		file := docFile(t, ws, func(doc map[string]any) {
			obj(doc, "portal")["enabled"] = true
			obj(doc, "help_center")["live"] = c.live
			doc["identity_verification"] = c.ident
		})
		msg := fails(t, 1, "settings", "apply", file, "--workspace", ws)
		if !strings.Contains(msg, "portal.enabled:") {
			t.Errorf("%s: %q does not name portal.enabled", c.name, msg)
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q does not name %q", c.name, msg, w)
			}
		}
		for _, w := range c.notWant {
			if strings.Contains(msg, w) {
				t.Errorf("%s: %q names %q, which is met", c.name, msg, w)
			}
		}
		if after := ok(t, "settings", "show", "--workspace", ws); after != before {
			t.Errorf("%s: the refused enable changed the draft", c.name)
		}
	}
}

func TestAudience(t *testing.T) {
	t.Parallel()
	ws := newDemo(t, demoSeed)

	// The JSON shape, by name.
	var raw map[string]json.RawMessage
	okJSON(t, &raw, "audience", "--workspace", ws)
	var rawUsers []map[string]any
	if raw["count"] == nil || json.Unmarshal(raw["users"], &rawUsers) != nil || len(rawUsers) == 0 {
		t.Fatalf("audience --json: want count and users, got %v", raw)
	}
	for _, u := range rawUsers {
		for _, k := range []string{"id", "email", "name"} {
			if s, _ := u[k].(string); s == "" {
				t.Errorf("user %v has no %s", u, k)
			}
		}
	}

	users := allUsers(t, ws)
	if len(users) != demoUsers {
		t.Fatalf("Everyone lists %d users, want %d", len(users), demoUsers)
	}
	var two audience
	okJSON(t, &two, "audience", "--workspace", ws, "--limit", "2")
	if two.Count != demoUsers || !reflect.DeepEqual(two.Users, users[:2]) {
		t.Errorf("--limit 2: count %d, users %+v; want %d and the first two %+v", two.Count, two.Users, demoUsers, users[:2])
	}
	text := ok(t, "audience", "--workspace", ws, "--limit", "2")
	if !strings.HasPrefix(text, fmt.Sprintf("%d user(s) match the access rule.", demoUsers)) || !strings.Contains(text, users[1].Email) {
		t.Errorf("audience text:\n%s", text)
	}

	// --of visibility counts exactly the users the preview says are restricted.
	if n := checkVisibility(t, ws, users); n == 0 || n == demoUsers {
		t.Errorf("the demo draft restricts %d of %d users; the test wants some of each", n, demoUsers)
	}

	// A rule: user.email ends_with examply.com.
	want := map[string]bool{}
	for _, u := range users {
		if strings.HasSuffix(strings.ToLower(u.Email), "examply.com") {
			want[u.ID] = true
		}
	}
	if len(want) == 0 || len(want) == len(users) {
		t.Fatalf("%d of %d demo users are at examply.com; the test wants some of each", len(want), len(users))
	}
	apply(t, ws, setAccess(map[string]any{"all": []any{cond("user.email", "ends_with", "examply.com")}}))
	var got audience
	okJSON(t, &got, "audience", "--workspace", ws, "--limit", "1000")
	if got.Count != len(want) || len(got.Users) != len(want) {
		t.Errorf("ends_with examply.com: count %d, listed %d; want %d", got.Count, len(got.Users), len(want))
	}
	for _, u := range got.Users {
		if !strings.HasSuffix(u.Email, "examply.com") || !want[u.ID] {
			t.Errorf("ends_with examply.com lists %s", u.Email)
		}
	}
	// --list-only: the same first users, not counted.
	var first audience
	okJSON(t, &first, "audience", "--workspace", ws, "--limit", "3", "--list-only")
	if first.Count != -1 || !reflect.DeepEqual(first.Users, got.Users[:3]) {
		t.Errorf("--list-only --limit 3: count %d, users %+v; want -1 and %+v", first.Count, first.Users, got.Users[:3])
	}
	text = ok(t, "audience", "--workspace", ws, "--limit", "3", "--list-only")
	if !strings.HasPrefix(text, "The first 3 user(s) who match the access rule (not counted).") || !strings.Contains(text, got.Users[2].Email) || strings.Contains(text, "more") {
		t.Errorf("audience --list-only text:\n%s", text)
	}
	// Only users with access can be restricted.
	if n := checkVisibility(t, ws, users); n == 0 || n >= len(want) {
		t.Errorf("with access for examply.com only, %d users are restricted; want some of the %d", n, len(want))
	}
	// Visibility off: no one is restricted, and the answer says why.
	apply(t, ws, func(doc map[string]any) { obj(doc, "visibility")["restrict_to_own"] = false })
	var off audience
	okJSON(t, &off, "audience", "--workspace", ws, "--of", "visibility")
	if off.Count != 0 || len(off.Users) != 0 || off.Note == "" {
		t.Errorf("visibility off: %+v, want no one and a note", off)
	}

	// No rule: no one, with a note.
	apply(t, ws, setAccess(nil))
	var none audience
	okJSON(t, &none, "audience", "--workspace", ws)
	if none.Count != 0 || len(none.Users) != 0 || none.Note == "" {
		t.Errorf("access rule null: %+v, want no one and a note", none)
	}
}

// checkVisibility checks that audience --of visibility lists exactly the
// users whom preview calls restricted, and returns how many they are.
func checkVisibility(t *testing.T, ws string, users []user) int {
	t.Helper()
	var vis audience
	okJSON(t, &vis, "audience", "--workspace", ws, "--of", "visibility", "--limit", "1000")
	restricted := map[string]bool{}
	for _, u := range users {
		if p := previewOf(t, ws, u.ID, "--limit", "1"); p.Restricted {
			if !p.Access {
				t.Errorf("%s is restricted without access", u.Email)
			}
			restricted[u.ID] = true
		}
	}
	if vis.Count != len(restricted) || len(vis.Users) != vis.Count {
		t.Errorf("--of visibility: count %d, listed %d; %d users are restricted", vis.Count, len(vis.Users), len(restricted))
	}
	for _, u := range vis.Users {
		if !restricted[u.ID] {
			t.Errorf("--of visibility lists %s, who is not restricted", u.Email)
		}
	}
	return len(restricted)
}

// previewOf runs preview --json for a user.
func previewOf(t *testing.T, ws, user string, args ...string) preview {
	t.Helper()
	var p preview
	okJSON(t, &p, append([]string{"preview", "--workspace", ws, "--user", user}, args...)...)
	return p
}

func TestPreview(t *testing.T) {
	t.Parallel()
	ws := newDemo(t, demoSeed)
	const alice, bob = "alice.martin@examply.com", "bob.chen@examply.com"

	// The JSON shape, by name.
	var raw map[string]json.RawMessage
	okJSON(t, &raw, "preview", "--workspace", ws, "--user", alice)
	for _, k := range []string{"access", "access_reason", "restricted", "restricted_reason", "tabs", "tickets", "total"} {
		if raw[k] == nil {
			t.Errorf("preview --json has no %s", k)
		}
	}
	var rawTickets []map[string]any
	if err := json.Unmarshal(raw["tickets"], &rawTickets); err != nil || len(rawTickets) == 0 {
		t.Fatalf("alice sees no tickets: %s", raw["tickets"])
	}
	for _, tk := range rawTickets {
		for _, k := range []string{"id", "ticket_id", "title", "state", "updated_at"} {
			if s, _ := tk[k].(string); s == "" {
				t.Errorf("ticket %v has no %s", tk, k)
			}
		}
		if _, has := tk["preview"]; has {
			t.Errorf("a ticket listed without --search has a preview: %v", tk)
		}
	}

	p := previewOf(t, ws, alice)
	if !p.Access || p.AccessReason == "" || p.Restricted || p.RestrictedReason == "" || !reflect.DeepEqual(p.Tabs, []string{"all", "mine"}) || p.Tab != "all" {
		t.Errorf("alice: access %v (%q), restricted %v (%q), tabs %v, tab %q",
			p.Access, p.AccessReason, p.Restricted, p.RestrictedReason, p.Tabs, p.Tab)
	}
	if p.Total < len(p.Tickets) || len(p.Tickets) == 0 {
		t.Errorf("alice: total %d, %d tickets listed", p.Total, len(p.Tickets))
	}
	for i := 1; i < len(p.Tickets); i++ {
		if p.Tickets[i].UpdatedAt.After(p.Tickets[i-1].UpdatedAt) {
			t.Errorf("tickets not newest first: %s before %s", p.Tickets[i-1].UpdatedAt, p.Tickets[i].UpdatedAt)
		}
	}

	// Bob: restricted under the demo draft (checked, not assumed).
	b := previewOf(t, ws, bob, "--limit", "200")
	if !b.Access || !b.Restricted || b.RestrictedReason == "" || !reflect.DeepEqual(b.Tabs, []string{"mine"}) || b.Tab != "mine" {
		t.Fatalf("bob under the demo draft: access %v, restricted %v (%q), tabs %v", b.Access, b.Restricted, b.RestrictedReason, b.Tabs)
	}
	for _, tk := range b.Tickets {
		if tk.CreatedBy != b.User.Name {
			t.Errorf("restricted bob sees ticket %s created by %s", tk.TicketID, tk.CreatedBy)
		}
	}
	if msg := fails(t, 1, "preview", "--workspace", ws, "--user", bob, "--tab", "all"); !strings.Contains(msg, "--tab mine") {
		t.Errorf("bob --tab all: %q", msg)
	}
	mine := previewOf(t, ws, bob, "--tab", "mine", "--limit", "200")
	if mine.Total != b.Total {
		t.Errorf("bob --tab mine: %d tickets, default tab %d", mine.Total, b.Total)
	}

	// Visibility off: bob gets both tabs, and All holds at least Created by me.
	apply(t, ws, func(doc map[string]any) { obj(doc, "visibility")["restrict_to_own"] = false })
	b2 := previewOf(t, ws, bob)
	if b2.Restricted || !reflect.DeepEqual(b2.Tabs, []string{"all", "mine"}) || b2.Total < b.Total {
		t.Errorf("bob with visibility off: restricted %v, tabs %v, total %d (mine %d)", b2.Restricted, b2.Tabs, b2.Total, b.Total)
	}
	ok(t, "preview", "--workspace", ws, "--user", bob, "--tab", "all")

	// No access rule: no one has access, and no data.
	apply(t, ws, setAccess(nil))
	for _, u := range []string{alice, bob} {
		p := previewOf(t, ws, u)
		if p.Access || p.AccessReason == "" || len(p.Tickets) != 0 || p.Total != 0 || p.Next != "" {
			t.Errorf("%s with no access rule: access %v (%q), %d tickets, total %d", u, p.Access, p.AccessReason, len(p.Tickets), p.Total)
		}
	}
	if text := ok(t, "preview", "--workspace", ws, "--user", alice); !strings.Contains(text, "Access: no. No access: no access rule is set, so no one has access.") {
		t.Errorf("preview text without access:\n%s", text)
	}

	if msg := fails(t, 1, "preview", "--workspace", ws, "--user", "nobody@nowhere.example"); !strings.Contains(msg, "no user") {
		t.Errorf("unknown user: %q", msg)
	}
}

var agoRE = regexp.MustCompile(`^(now|[1-9][0-9]*(m|h|d|w|mo|y))$`)

func TestPreviewSearch(t *testing.T) {
	t.Parallel()
	ws := newDemo(t, demoSeed)
	const alice = "alice.martin@examply.com"
	p := previewOf(t, ws, alice, "--search", "invoice", "--now", now)
	if p.Total == 0 || len(p.Tickets) == 0 {
		t.Fatalf("search invoice finds nothing for alice")
	}
	all := previewOf(t, ws, alice, "--limit", "200")
	if p.Total >= all.Total {
		t.Errorf("search invoice matches %d of %d tickets: it filters nothing", p.Total, all.Total)
	}
	for _, tk := range p.Tickets {
		if tk.Preview == nil {
			t.Errorf("ticket %s has no preview", tk.TicketID)
			continue
		}
		if !strings.Contains(strings.ToLower(tk.Preview.Snippet), "<mark>invoice") {
			t.Errorf("ticket %s: snippet %q has no <mark>invoice", tk.TicketID, tk.Preview.Snippet)
		}
		if tk.Preview.Author == "" || !agoRE.MatchString(tk.Preview.Ago) {
			t.Errorf("ticket %s: author %q, ago %q", tk.TicketID, tk.Preview.Author, tk.Preview.Ago)
		}
	}
	// The same search later reads further back in time.
	later := previewOf(t, ws, alice, "--search", "invoice", "--now", "2036-11-02T00:00:00Z")
	if len(later.Tickets) == 0 || later.Tickets[0].Preview == nil || !strings.HasSuffix(later.Tickets[0].Preview.Ago, "y") {
		t.Errorf("ten years later: %+v", later.Tickets)
	}

	// With the Preview column off, no preview at all.
	apply(t, ws, func(doc map[string]any) { doc["preview_column"] = false })
	var raw struct {
		Tickets []map[string]any `json:"tickets"`
	}
	okJSON(t, &raw, "preview", "--workspace", ws, "--user", alice, "--search", "invoice", "--now", now)
	if len(raw.Tickets) != len(p.Tickets) {
		t.Errorf("preview_column false: %d results, want %d", len(raw.Tickets), len(p.Tickets))
	}
	for _, tk := range raw.Tickets {
		if _, has := tk["preview"]; has {
			t.Errorf("preview_column false, yet ticket %v has a preview", tk["ticket_id"])
		}
	}
}

func TestPreviewPagination(t *testing.T) {
	t.Parallel()
	ws := newDemo(t, demoSeed)
	cases := []struct {
		name string
		args []string
	}{
		{"all tab", []string{"--user", "alice.martin@examply.com", "--limit", "7"}},
		{"mine tab", []string{"--user", "bob.chen@examply.com", "--tab", "mine", "--limit", "2"}},
		{"search", []string{"--user", "alice.martin@examply.com", "--search", "the", "--limit", "3", "--now", now}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			seen := map[string]bool{}
			total, pages, cursor := -1, 0, ""
			for {
				args := c.args
				if cursor != "" {
					args = append(append([]string{}, args...), "--cursor", cursor)
				}
				var p preview
				okJSON(t, &p, append([]string{"preview", "--workspace", ws}, args...)...)
				if total < 0 {
					total = p.Total
				} else if p.Total != total {
					t.Fatalf("page %d: total %d, first page said %d", pages, p.Total, total)
				}
				for _, tk := range p.Tickets {
					if seen[tk.ID] {
						t.Errorf("ticket %s on two pages", tk.ID)
					}
					seen[tk.ID] = true
				}
				pages++
				if p.Next == "" || pages > 100 {
					break
				}
				if len(p.Tickets) == 0 {
					t.Fatalf("page %d is empty but has a next cursor", pages)
				}
				cursor = p.Next
			}
			if len(seen) != total || pages < 2 {
				t.Errorf("%d pages visited %d distinct tickets; total %d (want at least two pages)", pages, len(seen), total)
			}
		})
	}
	if msg := fails(t, 1, "preview", "--workspace", ws, "--user", "alice.martin@examply.com", "--cursor", "garbage"); !strings.Contains(msg, "cursor") {
		t.Errorf("a bad cursor: %q", msg)
	}
}

func TestDiff(t *testing.T) {
	t.Parallel()
	ws := newDemo(t, demoSeed)
	text := ok(t, "diff", "--workspace", ws)
	// The changes in sentences come first, then a blank line and the
	// unified diff.
	head, out, found := strings.Cut(text, "\n\n--- live")
	out = "--- live" + out
	if !found || !strings.Contains(head, "Customer portal: turned on.") {
		t.Errorf("diff of a fresh demo workspace does not start with the change summary:\n%s", text)
	}
	lines := strings.Split(out, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "--- live") || lines[1] != "+++ draft" || !strings.HasPrefix(lines[2], "@@ ") {
		t.Errorf("diff of a fresh demo workspace:\n%s", out)
	}
	if !strings.Contains(out, "\n-    \"enabled\": false,\n") || !strings.Contains(out, "\n+    \"enabled\": true,\n") {
		t.Errorf("the diff does not show the portal turned on:\n%s", out)
	}
	var d struct {
		Changed *bool    `json:"changed"`
		Unified string   `json:"unified"`
		Summary []string `json:"summary"`
	}
	okJSON(t, &d, "diff", "--workspace", ws)
	if d.Changed == nil || !*d.Changed || d.Unified != out || strings.Join(d.Summary, "\n") != head {
		t.Errorf("diff --json: changed %v, unified equals the text: %v, summary %q equals the text: %v", d.Changed, d.Unified == out, d.Summary, strings.Join(d.Summary, "\n") == head)
	}

	// A workspace whose draft was never edited: draft and live agree.
	plain := filepath.Join(t.TempDir(), "ws.db")
	ok(t, "import", "--workspace", plain, fixture("contact.json"))
	if out := ok(t, "diff", "--workspace", plain); !strings.Contains(out, "same as the live settings") {
		t.Errorf("diff of an unedited draft:\n%s", out)
	}
	okJSON(t, &d, "diff", "--workspace", plain)
	if d.Changed == nil || *d.Changed || d.Unified != "" || d.Summary == nil || len(d.Summary) != 0 {
		t.Errorf("diff --json of an unedited draft: %+v", d)
	}
}

func TestBadUsage(t *testing.T) {
	t.Parallel()
	ws := newDemo(t, demoSeed)
	missing := filepath.Join(t.TempDir(), "missing.db")
	const alice = "alice.martin@examply.com"
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"nosuch"}, 2, `unknown command "nosuch"`},
		{[]string{"preview", "--workspace", ws}, 2, "--user"},
		{[]string{"preview", "--workspace", ws, "--user", alice, "--limit", "0"}, 2, "--limit"},
		{[]string{"preview", "--workspace", ws, "--user", alice, "--limit", "201"}, 2, "--limit"},
		{[]string{"preview", "--workspace", ws, "--user", alice, "--now", "yesterday"}, 2, "--now"},
		{[]string{"preview", "--workspace", ws, "--user", alice, "--tab", "bogus"}, 2, "--tab"},
		{[]string{"preview", "--workspace", ws, "--user", alice, "--settings", "bogus"}, 2, "--settings"},
		{[]string{"preview", "--workspace", ws, "--user", alice, "extra"}, 2, `"extra"`},
		{[]string{"audience", "--workspace", ws, "--bogus"}, 2, "-bogus"},
		{[]string{"audience", "--workspace", ws, "--of", "bogus"}, 2, "--of"},
		{[]string{"audience", "--workspace", ws, "--limit", "0"}, 2, "--limit"},
		{[]string{"audience", "--workspace", ws, "--limit", "-1"}, 2, "--limit"},
		{[]string{"audience", "--workspace", ws, "--limit", "lots"}, 2, "-limit"},
		{[]string{"demo"}, 2, "--workspace"},
		{[]string{"demo", "--workspace", missing, "--users", "abc"}, 2, "-users"},
		{[]string{"demo", "--workspace", missing, "--users", "-5"}, 2, "negative"},
		{[]string{"import", "--workspace", missing}, 2, "file"},
		{[]string{"settings"}, 2, "show"},
		{[]string{"settings", "frobnicate", "--workspace", ws}, 2, "frobnicate"},
		{[]string{"settings", "apply", "--workspace", ws}, 2, "missing"},
		{[]string{"settings", "show", "extra", "--workspace", ws}, 2, `"extra"`},
		{[]string{"settings", "show", "--workspace", ws, "--settings", "bogus"}, 2, "--settings"},
		{[]string{"settings", "apply", filepath.Join(t.TempDir(), "nosuch.json"), "--workspace", ws}, 1, "nosuch.json"},
		{[]string{"audience", "--workspace", missing}, 1, "no workspace"},
		{[]string{"preview", "--workspace", missing, "--user", alice}, 1, "no workspace"},
		{[]string{"diff", "--workspace", missing}, 1, "no workspace"},
		{[]string{"settings", "show", "--workspace", missing}, 1, "no workspace"},
	}
	for _, c := range cases {
		msg := fails(t, c.code, c.args...)
		if !strings.Contains(msg, c.want) || !strings.HasPrefix(msg, "portalstudio: ") {
			t.Errorf("portalstudio %s: stderr %q, want %q", strings.Join(c.args, " "), msg, c.want)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("a failing command created %s", missing)
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"audience", "-h"}, {"settings", "--help"}, {"preview", "-h"}} {
		stdout, stderr, code := run(t, args...)
		if code != 0 || stderr != "" || !strings.Contains(stdout, "Usage") {
			t.Errorf("portalstudio %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, stdout, stderr)
		}
	}
}

func TestFlagsAnywhere(t *testing.T) {
	t.Parallel()
	ws := newDemo(t, demoSeed)
	pairs := [][2][]string{
		{{"settings", "show", "--workspace", ws}, {"settings", "--workspace", ws, "show"}},
		{{"preview", "--workspace", ws, "--user", "bob.chen@examply.com", "--json"}, {"preview", "--json", "--user", "bob.chen@examply.com", "--workspace", ws}},
		{{"audience", "--workspace", ws, "--of", "visibility"}, {"audience", "--of", "visibility", "--workspace", ws}},
	}
	for _, p := range pairs {
		if a, b := ok(t, p[0]...), ok(t, p[1]...); a != b {
			t.Errorf("%v and %v differ:\n%s\n----\n%s", p[0], p[1], a, b)
		}
	}
	a := filepath.Join(t.TempDir(), "a.db")
	b := filepath.Join(t.TempDir(), "b.db")
	ok(t, "import", "--workspace", a, fixture("contact.json"))
	ok(t, "import", fixture("contact.json"), "--workspace", b)
	if accessCount(t, a) != 1 || accessCount(t, b) != 1 {
		t.Errorf("import with the flag before or after the file")
	}
}
