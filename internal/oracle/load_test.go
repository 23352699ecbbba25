package oracle_test

// The load test with correctness: one generated dataset of a few hundred
// users with every kind of rights (no access, restricted, unrestricted,
// several companies, no company), imported through the real import path,
// served by the real portal server on loopback (httptest), and many
// concurrent clients, each signed in as a random user (a session cookie
// or a bearer identity token), sending list pages of both tabs, searches
// and ticket pages by id (tickets they may see, tickets they may not, and
// ids that do not exist) for a fixed time. Every answer is checked against
// the oracle: zero wrong answers, zero 5xx, a hidden ticket is 404 with
// byte-for-byte the body of a missing one, and the heap in use stays flat.
//
//	LOAD_SECONDS=n  how long the load runs (default 5; `make soak` runs 60)
//	LOAD_CLIENTS=n  concurrent clients (default 32)
//	ORACLE_SEED=n   replay one dataset and settings

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
	"portalstudio/internal/oracle"
)

// loadUser is one portal user of the load test with what the oracle says
// about them.
type loadUser struct {
	u       *portal.User
	a       oracle.Answer
	token   string
	cookie  string // "" when the client uses the bearer token
	visible map[string]bool
}

// loadClient is one concurrent client's state.
type loadClient struct {
	r         *rand.Rand
	o         *oracle.Oracle
	d         *oracle.Dataset
	base      string
	hc        *http.Client
	preview   bool
	notFound  []byte
	latencies []time.Duration
	n5xx      int
}

// loadError is the first wrong answer of a run.
type loadError struct {
	once sync.Once
	msg  string
	stop atomic.Bool
}

func (e *loadError) set(format string, args ...any) {
	e.once.Do(func() { e.msg = fmt.Sprintf(format, args...) })
	e.stop.Store(true)
}

func TestLoadOracle(t *testing.T) {
	seed := envInt("ORACLE_SEED", time.Now().UnixNano())
	seconds := envInt("LOAD_SECONDS", 5)
	if testing.Short() && seconds > 2 {
		seconds = 2
	}
	clients := int(envInt("LOAD_CLIENTS", 32))
	ctx := context.Background()
	r := rand.New(rand.NewSource(seed))
	// A few hundred users and tickets (Size bounds a dataset; draw until
	// it is big enough).
	var d *oracle.Dataset
	for d == nil || len(d.Users) < 200 || len(d.Tickets) < 250 {
		d = oracle.Generate(r, now, oracle.Size{Users: 400, Companies: 25, Tickets: 600})
	}
	o := oracle.New(d)

	// Settings with every kind of user: of a few hundred random settings
	// with the portal on, the one whose smallest group (no access,
	// restricted, unrestricted) is largest.
	var st *portal.Settings
	best := -1
	for i := 0; i < 300; i++ {
		s := o.RandomSettings(r)
		if !s.Portal.Enabled {
			continue
		}
		var none, restr, unrestr int
		for j := range d.Users {
			a := o.Decide(s, &d.Users[j], now)
			switch {
			case !a.Access:
				none++
			case a.Restricted:
				restr++
			default:
				unrestr++
			}
		}
		if m := min(none, restr, unrestr); m > best {
			best, st = m, s
		}
	}
	if best <= 0 {
		t.Fatalf("seed %d: no random settings gave users of every kind of rights", seed)
	}

	path := filepath.Join(t.TempDir(), "workspace.db")
	ws := importDataset(t, ctx, path, d, fmt.Sprintf("seed %d", seed))
	defer ws.Close()
	doc := st.Canonical()
	if _, err := ws.ApplyDraft(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.PutLive(ctx, doc, portal.AnyVersion); err != nil {
		t.Fatal(err)
	}
	hs := servePortal(t, ws)
	defer hs.Close()
	tr := &http.Transport{MaxIdleConns: 2 * clients, MaxIdleConnsPerHost: 2 * clients, IdleConnTimeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	// Every user who can have an identity token; half sign in for a
	// session cookie, half send the token on every request.
	var users []*loadUser
	kinds := map[string]int{}
	for i := range d.Users {
		u := &d.Users[i]
		tok := identityToken(t, u)
		if tok == "" {
			continue
		}
		lu := &loadUser{u: u, a: o.Decide(st, u, now), token: tok, visible: map[string]bool{}}
		for _, id := range append(append([]string(nil), lu.a.All...), lu.a.Mine...) {
			lu.visible[id] = true
		}
		if r.Intn(2) == 0 {
			lu.cookie = signInLoad(t, hc, hs.URL, tok)
		}
		switch {
		case !lu.a.Access:
			kinds["no access"]++
		case lu.a.Restricted:
			kinds["restricted"]++
		default:
			kinds["unrestricted"]++
		}
		switch {
		case len(u.CompanyIDs) == 0:
			kinds["no company"]++
		case len(u.CompanyIDs) > 1:
			kinds["several companies"]++
		}
		users = append(users, lu)
	}
	for _, k := range []string{"no access", "restricted", "unrestricted", "no company", "several companies"} {
		if kinds[k] == 0 {
			t.Fatalf("seed %d: no user of kind %q among %d users (%v)", seed, k, len(users), kinds)
		}
	}

	// The body of a ticket that does not exist, which every hidden ticket
	// must answer too.
	notFound := func() []byte {
		for _, lu := range users {
			if lu.a.Access {
				code, body := loadGet(hc, hs.URL+"/portal/acme/api/tickets/no-such-ticket", lu)
				if code != http.StatusNotFound {
					t.Fatalf("a missing ticket: %d %s", code, body)
				}
				return body
			}
		}
		t.Fatal("no user with access")
		return nil
	}()

	// Warm up (caches, connections), then take the baseline heap.
	var fail loadError
	warm := &loadClient{r: rand.New(rand.NewSource(seed + 1)), o: o, d: d, base: hs.URL, hc: hc, preview: st.PreviewColumn, notFound: notFound}
	for i := 0; i < 200 && !fail.stop.Load(); i++ {
		warm.one(users[warm.r.Intn(len(users))], &fail)
	}
	if fail.msg != "" {
		t.Fatalf("seed %d: warm-up: %s", seed, fail.msg)
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heapStart := ms.HeapInuse
	peak := heapStart

	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	var wg sync.WaitGroup
	cls := make([]*loadClient, clients)
	for i := range cls {
		cls[i] = &loadClient{r: rand.New(rand.NewSource(seed + 100 + int64(i))), o: o, d: d, base: hs.URL, hc: hc, preview: st.PreviewColumn, notFound: notFound}
		wg.Add(1)
		go func(c *loadClient) {
			defer wg.Done()
			for time.Now().Before(deadline) && !fail.stop.Load() {
				c.one(users[c.r.Intn(len(users))], &fail)
			}
		}(cls[i])
	}
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for time.Now().Before(deadline) && !fail.stop.Load() {
			time.Sleep(250 * time.Millisecond)
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak {
				peak = m.HeapInuse
			}
		}
	}()
	start := time.Now()
	wg.Wait()
	elapsed := time.Since(start)
	<-sampled
	tr.CloseIdleConnections()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heapEnd := ms.HeapInuse

	var lat []time.Duration
	n5xx := 0
	for _, c := range cls {
		lat = append(lat, c.latencies...)
		n5xx += c.n5xx
	}
	if fail.msg != "" {
		t.Fatalf("seed %d (replay with ORACLE_SEED=%d): after %d requests: %s", seed, seed, len(lat), fail.msg)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	const mb = 1 << 20
	t.Logf("load: seed %d, %d users (%v), %d tickets, %d clients for %s: %d requests checked against the oracle (%.0f req/s), 0 wrong, %d 5xx; latency p50 %s, p90 %s, p99 %s, max %s; heap in use %.1f MB at start, %.1f MB peak, %.1f MB at end",
		seed, len(users), kinds, len(d.Tickets), clients, elapsed.Round(time.Millisecond), len(lat), float64(len(lat))/elapsed.Seconds(), n5xx,
		pct(0.5), pct(0.9), pct(0.99), lat[len(lat)-1], float64(heapStart)/mb, float64(peak)/mb, float64(heapEnd)/mb)
	if n5xx != 0 {
		t.Fatalf("seed %d: %d answers were 5xx", seed, n5xx)
	}
	if len(lat) < clients {
		t.Fatalf("seed %d: only %d requests in %s", seed, len(lat), elapsed)
	}
	if heapEnd > heapStart+64*mb {
		t.Fatalf("seed %d: the heap in use grew from %.1f MB to %.1f MB under load", seed, float64(heapStart)/mb, float64(heapEnd)/mb)
	}
}

// signInLoad exchanges an identity token for a session cookie ("" when
// the server gives none, e.g. to a user without access: the client then
// sends the token).
func signInLoad(t *testing.T, hc *http.Client, base, tok string) string {
	t.Helper()
	resp, err := hc.Post(base+"/portal/acme/session", "application/json", strings.NewReader(`{"token":"`+tok+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		t.Fatalf("signing in: %s", resp.Status)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "portal_session" {
			return c.Name + "=" + c.Value
		}
	}
	return ""
}

// loadGet sends one GET as the user (session cookie, else bearer token).
func loadGet(hc *http.Client, u string, lu *loadUser) (int, []byte) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if lu.cookie != "" {
		req.Header.Set("Cookie", lu.cookie)
	} else {
		req.Header.Set("Authorization", "Bearer "+lu.token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return -1, []byte(err.Error())
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// get sends one request, timing it and counting 5xx.
func (c *loadClient) get(path string, lu *loadUser) (int, []byte) {
	start := time.Now()
	code, body := loadGet(c.hc, c.base+path, lu)
	c.latencies = append(c.latencies, time.Since(start))
	if code >= 500 {
		c.n5xx++
	}
	return code, body
}

// one sends one operation as lu (a list walk, a search walk or a ticket
// page) and checks every answer.
func (c *loadClient) one(lu *loadUser, fail *loadError) {
	who := fmt.Sprintf("user %s (access %v, restricted %v, companies %v, cookie %v)", lu.u.ID, lu.a.Access, lu.a.Restricted, lu.u.CompanyIDs, lu.cookie != "")
	switch n := c.r.Intn(10); {
	case n < 4:
		c.list(lu, pick(c.r, []string{"", "all", "mine"}), "", who, fail)
	case n < 7:
		tab := pick(c.r, []string{"", "all", "mine"})
		c.list(lu, tab, c.o.RandomQuery(c.r, lu.a), who, fail)
	default:
		var id string
		switch k := c.r.Intn(10); {
		case k == 0:
			id = "no-such-" + strconv.Itoa(c.r.Intn(1000))
		case k < 4 && len(lu.visible) > 0:
			id = pick(c.r, append(append([]string(nil), lu.a.All...), lu.a.Mine...))
		default:
			id = c.d.Tickets[c.r.Intn(len(c.d.Tickets))].ID
		}
		c.ticket(lu, id, who, fail)
	}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.Intn(len(xs))] }

type listAnswer struct {
	Access     bool              `json:"access"`
	Restricted bool              `json:"restricted"`
	Tabs       []string          `json:"tabs"`
	Tab        string            `json:"tab"`
	Tickets    []wire.TicketView `json:"tickets"`
	Total      int               `json:"total"`
	Next       string            `json:"next"`
	Decision   *json.RawMessage  `json:"decision"`
}

// list walks a tab's pages (a random page size, a random number of
// pages; a search walks them all) and checks each page.
func (c *loadClient) list(lu *loadUser, tab, q, who string, fail *loadError) {
	where := fmt.Sprintf("%s, tab %q, q %q", who, tab, q)
	search := strings.TrimSpace(q) != ""
	limit := 1 + c.r.Intn(25)
	pages := 1 + c.r.Intn(4)
	if search {
		pages = 1000
	}
	var want []string
	var wantSet map[string]bool
	wantTab := tab
	if lu.a.Access && tab == "" {
		wantTab = lu.a.Tabs[0]
	}
	if wantTab == "all" {
		want = lu.a.All
	} else {
		want = lu.a.Mine
	}
	if search {
		wantSet = c.o.Search(lu.a, wantTab, q)
	}
	got := map[string]bool{}
	cursor, offset := "", 0
	for page := 0; page < pages; page++ {
		code, body := c.get("/portal/acme/api/tickets?"+ticketsQuery(tab, q, cursor, limit, portal.TicketFilter{}), lu)
		if fail.stop.Load() {
			return
		}
		refused := !lu.a.Access || (wantTab == "all" && lu.a.Restricted)
		if refused {
			if code != http.StatusForbidden {
				fail.set("%s: want 403, got %d %s", where, code, body)
			}
			return
		}
		if code != http.StatusOK {
			fail.set("%s: want 200, got %d %s", where, code, body)
			return
		}
		var res listAnswer
		if err := json.Unmarshal(body, &res); err != nil {
			fail.set("%s: %v: %s", where, err, body)
			return
		}
		if res.Decision != nil || bytes.Contains(body, []byte(`"access_reason"`)) {
			fail.set("%s: the answer leaks the decision trace: %s", where, body)
			return
		}
		if !res.Access || res.Restricted != lu.a.Restricted || !reflect.DeepEqual(res.Tabs, lu.a.Tabs) || res.Tab != wantTab {
			fail.set("%s: decision %v %v %v %q, want %v %v %v %q", where, res.Access, res.Restricted, res.Tabs, res.Tab, true, lu.a.Restricted, lu.a.Tabs, wantTab)
			return
		}
		if len(res.Tickets) > limit {
			fail.set("%s: %d tickets on a page of %d", where, len(res.Tickets), limit)
			return
		}
		if search {
			if res.Total != len(wantSet) {
				fail.set("%s: total %d, want %d", where, res.Total, len(wantSet))
				return
			}
			for _, tv := range res.Tickets {
				if !wantSet[tv.ID] || got[tv.ID] {
					fail.set("%s: ticket %s is not a hit, or listed twice (want %v)", where, tv.ID, wantSet)
					return
				}
				got[tv.ID] = true
				if (tv.Preview != nil) != c.preview {
					fail.set("%s: preview column %v, want %v", where, tv.Preview != nil, c.preview)
					return
				}
			}
		} else {
			if res.Total != len(want) {
				fail.set("%s: total %d, want %d", where, res.Total, len(want))
				return
			}
			end := min(offset+limit, len(want))
			var ids []string
			for _, tv := range res.Tickets {
				ids = append(ids, tv.ID)
			}
			if wantPage := want[offset:end]; !(len(ids) == 0 && len(wantPage) == 0) && !reflect.DeepEqual(ids, wantPage) {
				fail.set("%s: page at %d (limit %d): %v, want %v", where, offset, limit, ids, wantPage)
				return
			}
			offset = end
			if (res.Next == "") != (offset >= len(want)) {
				fail.set("%s: next %q at %d of %d", where, res.Next, offset, len(want))
				return
			}
		}
		if res.Next == "" {
			break
		}
		cursor = res.Next
	}
	if search && pages == 1000 && !reflect.DeepEqual(got, wantSet) {
		fail.set("%s: search hits %v, want %v", where, keys(got), keys(wantSet))
	}
}

// ticket opens a ticket page by id: 403 without access, 200 with exactly
// the customer-visible parts when the oracle says the user sees it, else
// 404 with the body of a missing ticket.
func (c *loadClient) ticket(lu *loadUser, id, who string, fail *loadError) {
	where := fmt.Sprintf("%s, ticket %s", who, id)
	code, body := c.get("/portal/acme/api/tickets/"+url.PathEscape(id), lu)
	switch {
	case !lu.a.Access:
		if code != http.StatusForbidden {
			fail.set("%s: a user without access: %d %s, want 403", where, code, body)
		}
	case lu.visible[id]:
		var det wire.TicketDetail
		if code != http.StatusOK || json.Unmarshal(body, &det) != nil {
			fail.set("%s: %d %s, want 200", where, code, body)
			return
		}
		tk := c.o.Ticket(id)
		parts := partIDs(det)
		if want := oracle.VisibleParts(tk); !reflect.DeepEqual(parts, want) || det.State != tk.StateLabel {
			fail.set("%s: parts and state %v %q, want %v %q", where, parts, det.State, want, tk.StateLabel)
		}
	default:
		if code != http.StatusNotFound || !bytes.Equal(body, c.notFound) {
			fail.set("%s: a ticket the user may not see (or that does not exist): %d %s, want 404 %s", where, code, body, c.notFound)
		}
	}
}
