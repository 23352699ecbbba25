package server_test

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
	"portalstudio/backend/server"
	"portalstudio/backend/storage/postgres"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/studio"
	"portalstudio/internal/loadgen"
	"portalstudio/internal/pgtest"
	"portalstudio/internal/testkit"
	"portalstudio/internal/teststore"
)

// loadLive is the live settings of the load benchmark: the portal on for
// users (leads have no access: they get 403), everyone but company admins
// restricted to their own tickets.
const loadLive = `{
  "portal": {"enabled": true},
  "identity_verification": true,
  "access": {"rule": {"all": [{"attribute": "user.role", "operator": "equals", "value": "user"}]}},
  "visibility": {"restrict_to_own": true, "conditions": {"all": [
    {"attribute": "user.custom.is_admin", "operator": "equals", "value": false}
  ]}},
  "preview_column": true
}`

// BenchmarkPortalLoad measures the customer portal's ticket-list API
// (GET /portal/<slug>/api/tickets, with session cookies, as the pages
// call it) under load, on loopback, with many users of different rights:
// unrestricted users on both tabs, restricted users on theirs, users
// without access (403). It runs on the demo workspace named by
// PORTALSTUDIO_BENCH_WORKSPACE (make bench passes the 1,000,000-user one;
// its live settings are loadLive during the run, then put back), else on a new 20,000-user demo
// workspace. Bounds: PORTALSTUDIO_BENCH_RATE (default 2000 req/s, open
// loop), PORTALSTUDIO_BENCH_SECONDS (default 10), PORTALSTUDIO_BENCH_USERS
// (default 2000). It reports req/s and the p50 and p99 latencies, and
// fails on any unexpected answer. Run it with -benchtime 1x: one run is
// the whole fixed-duration load. It runs once per store (TestMain): on
// PostgreSQL against one replica, on PORTALSTUDIO_BENCH_DATABASE when
// set, else on a new demo database in the throwaway cluster.
func BenchmarkPortalLoad(b *testing.B) {
	rate := envInt("PORTALSTUDIO_BENCH_RATE", 2000)
	seconds := envInt("PORTALSTUDIO_BENCH_SECONDS", 10)
	nUsers := envInt("PORTALSTUDIO_BENCH_USERS", 2000)

	var ws teststore.Store
	if teststore.Current.Name == "postgres" {
		// One PostgreSQL replica: the database named by
		// PORTALSTUDIO_BENCH_DATABASE (a demo imported there), else a
		// new one in the throwaway cluster.
		if url := os.Getenv("PORTALSTUDIO_BENCH_DATABASE"); url != "" {
			ws = teststore.OpenPostgresAt(b, url)
		} else {
			ws = teststore.Open(b)
		}
	} else {
		path := os.Getenv("PORTALSTUDIO_BENCH_WORKSPACE")
		if path == "" {
			path = filepath.Join(b.TempDir(), "load.db")
		}
		w, err := sqlite.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer w.Close()
		ws = w
	}
	run := portalLoad(b, []teststore.Store{ws}, rate, seconds, nUsers)
	fmt.Printf("store %s: %s", teststore.Current.Name, run)
	b.ReportMetric(run.Open.Throughput, "req/s")
	b.ReportMetric(float64(run.Open.P50)/1e6, "p50-ms")
	b.ReportMetric(float64(run.Open.P99)/1e6, "p99-ms")
	b.ReportMetric(run.Closed.Throughput, "peak-req/s")
	b.ReportMetric(float64(run.Cost.GoCPU)/1e3, "go-cpu-µs/req")
	b.ReportMetric(float64(run.Cost.DBCPU)/1e3, "db-cpu-µs/req")
	b.ReportMetric(run.Cost.Allocs, "allocs/req")
	b.ReportMetric(run.Cost.Bytes, "B/req")
}

// loadRun is what portalLoad measured.
type loadRun struct {
	Counts       portal.Counts
	Users        int
	Kinds        map[string]int
	Targets      int
	Rate         int
	Servers      int
	Open, Closed loadgen.Result
	// Cost is the open-loop run's cost per request.
	Cost requestCost
}

func (r loadRun) String() string {
	return fmt.Sprintf("portal list API on %d users / %d tickets, %d server(s); %d signed-in users (%d unrestricted, %d restricted, %d without access), %d requests in the mix\n"+
		"  open loop at %d req/s: %s\n    %s\n  closed loop, 16 in flight: %s\n",
		r.Counts.Users, r.Counts.Tickets, r.Servers, r.Users, r.Kinds["unrestricted"], r.Kinds["restricted"], r.Kinds["no access"], r.Targets, r.Rate, r.Open, r.Cost, r.Closed)
}

// portalLoad serves the stores (each its own server on a loopback port:
// replicas when they are one database) with loadLive as the live
// settings, signs nUsers users drawn at random in, and sends the list
// requests their rights allow, spread round robin over the servers: a
// warm-up, an open-loop run at rate req/s for seconds (the benchmark's
// timer), then a closed-loop run with 16 in flight. A store without users
// gets a 20,000-user demo first. Any unexpected answer fails b.
func portalLoad(b *testing.B, stores []teststore.Store, rate, seconds, nUsers int) loadRun {
	ctx := context.Background()
	ws := stores[0]
	svc := testkit.Service(b, ws)
	counts, err := ws.Counts(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if counts.Users == 0 {
		if _, err := svc.GenerateDemo(ctx, studio.DemoRequest{Users: 20000, Companies: 2000, Tickets: 40000}, nil); err != nil {
			b.Fatal(err)
		}
		if counts, err = ws.Counts(ctx); err != nil {
			b.Fatal(err)
		}
	}
	restore, err := useLive(ctx, ws, loadLive)
	if err != nil {
		b.Fatal(err)
	}
	defer restore()

	identity := randomKey()
	var bases []string
	for _, st := range stores {
		// Each replica's audience engine loaded before the load starts,
		// as in a server that has been running.
		aud := testkit.ServerAudiences(b, st)
		if err := aud.Load(ctx); err != nil {
			b.Fatal(err)
		}
		srv, err := server.New(server.Config{Store: st, Audiences: aud, IdentitySecret: identity, Slug: "bench", BaseURL: "http://127.0.0.1"})
		if err != nil {
			b.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(ln)
		defer hs.Close()
		bases = append(bases, "http://"+ln.Addr().String())
	}
	base := bases[0]

	// Users spread over the whole workspace, each signed in (a session
	// cookie, as the pages have), with the requests their rights allow.
	rnd := rand.New(rand.NewPCG(1, 2))
	var targets []loadgen.Target
	kinds := map[string]int{}
	for len(kinds) == 0 || kinds["restricted"]+kinds["unrestricted"]+kinds["no access"] < nUsers {
		id := demo.UserID(rnd.IntN(counts.Users))
		u, err := ws.UserByID(ctx, id)
		if portal.ErrorCode(err) == portal.ENOTFOUND {
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		d, _, err := svc.Decide(ctx, u, studio.Live)
		if err != nil {
			b.Fatal(err)
		}
		cookie := signIn(b, base, identity, u.ExternalID)
		h := http.Header{"Cookie": {cookie}}
		switch {
		case !d.Access:
			kinds["no access"]++
			targets = append(targets, loadgen.Target{Path: "/portal/bench/api/tickets", Header: h, Want: http.StatusForbidden})
		case d.Restricted:
			kinds["restricted"]++
			targets = append(targets, loadgen.Target{Path: "/portal/bench/api/tickets?tab=mine", Header: h})
		default:
			kinds["unrestricted"]++
			targets = append(targets,
				loadgen.Target{Path: "/portal/bench/api/tickets?tab=all", Header: h},
				loadgen.Target{Path: "/portal/bench/api/tickets?tab=mine", Header: h})
		}
	}
	rnd.Shuffle(len(targets), func(i, j int) { targets[i], targets[j] = targets[j], targets[i] })
	for i := range targets {
		targets[i].Base = bases[i%len(bases)]
	}

	// Warm up (caches, connections), then the measured run. The warm-up
	// runs as many requests at once as the closed loop, so that every
	// connection of a PostgreSQL replica's pool has been opened and has
	// planned its statements, as in a replica that has been serving: with
	// 8 at once, the open loop opened the rest of the pool while measured,
	// each new connection planning the list's statements (a few
	// milliseconds each), and that was most of one replica's p99 (17 and 54
	// ms, against 3.1 and 5.5 with the pool warm).
	if _, err := loadgen.Run(ctx, loadgen.Options{BaseURL: base, Targets: targets, Workers: 16, Duration: 2 * time.Second}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cost := startCost(b, stores)
	res, err := loadgen.Run(ctx, loadgen.Options{BaseURL: base, Targets: targets, Rate: rate, Workers: 256, Duration: time.Duration(seconds) * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	perRequest := cost.per(res.Requests)
	b.StopTimer()
	peak, err := loadgen.Run(ctx, loadgen.Options{BaseURL: base, Targets: targets, Workers: 16, Duration: time.Duration(max(seconds/2, 2)) * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	if res.Errors > 0 || peak.Errors > 0 {
		b.Fatalf("unexpected answers: %d, %d (first: %s%s)", res.Errors, peak.Errors, res.FirstError, peak.FirstError)
	}
	return loadRun{Counts: counts, Users: nUsers, Kinds: kinds, Targets: len(targets), Rate: rate, Servers: len(stores), Open: res, Closed: peak, Cost: perRequest}
}

// requestCost is what one request of a load run cost on average: the
// CPU time of this process (the servers and the load generator, which
// share it), of the PostgreSQL cluster (when the stores are in the
// throwaway one), and the allocations of this process.
type requestCost struct {
	GoCPU, DBCPU  time.Duration
	Allocs, Bytes float64
}

func (c requestCost) String() string {
	db := ""
	if c.DBCPU > 0 {
		db = fmt.Sprintf(", PostgreSQL %.0f µs CPU", float64(c.DBCPU)/1e3)
	}
	return fmt.Sprintf("per request: Go %.0f µs CPU (server and load generator)%s, %.0f allocations, %.1f KB allocated", float64(c.GoCPU)/1e3, db, c.Allocs, c.Bytes/1e3)
}

// costMeter measures a run's cost (startCost, then per).
type costMeter struct {
	cluster   *pgtest.Cluster
	cpu, db   time.Duration
	mallocs   uint64
	allocated uint64
}

// startCost starts measuring; the cluster's CPU counts when the stores
// are PostgreSQL ones of the throwaway cluster.
func startCost(b *testing.B, stores []teststore.Store) *costMeter {
	m := &costMeter{}
	if _, ok := stores[0].(*postgres.Store); ok && os.Getenv("PORTALSTUDIO_BENCH_DATABASE") == "" {
		m.cluster = pgtest.Shared(b)
		m.db = m.cluster.CPUTime()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.mallocs, m.allocated, m.cpu = ms.Mallocs, ms.TotalAlloc, cpuTime()
	return m
}

// per returns the cost since startCost per request of n.
func (m *costMeter) per(n int) requestCost {
	cpu := cpuTime()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	n = max(n, 1)
	c := requestCost{GoCPU: (cpu - m.cpu) / time.Duration(n), Allocs: float64(ms.Mallocs-m.mallocs) / float64(n), Bytes: float64(ms.TotalAlloc-m.allocated) / float64(n)}
	if m.cluster != nil {
		c.DBCPU = (m.cluster.CPUTime() - m.db) / time.Duration(n)
	}
	return c
}

// signIn exchanges an identity token for a session cookie.
func signIn(b *testing.B, base string, secret []byte, externalID string) string {
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"user_id": externalID, "exp": time.Now().Add(time.Hour).Unix()}).SignedString(secret)
	if err != nil {
		b.Fatal(err)
	}
	resp, err := http.Post(base+"/portal/bench/session", "application/json", bytes.NewReader([]byte(`{"token":"`+tok+`"}`)))
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "portal_session" {
			return c.Name + "=" + c.Value
		}
	}
	b.Fatalf("signing in %s: %s, no session cookie", externalID, resp.Status)
	return ""
}

// useLive makes doc the live settings (without a new version in the
// history) and returns how to put the previous ones back.
func useLive(ctx context.Context, ws portal.SettingsStore, doc string) (restore func(), err error) {
	cur, err := ws.Live(ctx)
	if err != nil {
		return nil, err
	}
	env, err := ws.Env(ctx)
	if err != nil {
		return nil, err
	}
	st, err := portal.ParseSettings([]byte(doc), env)
	if err != nil {
		return nil, err
	}
	st.Version = cur.Version
	if err := ws.SetLive(ctx, st); err != nil {
		return nil, err
	}
	return func() { ws.SetLive(context.Background(), cur) }, nil
}

func randomKey() []byte {
	k := make([]byte, 32)
	if _, err := crand.Read(k); err != nil {
		panic(err)
	}
	return k
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
