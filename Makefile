# Portal Studio. `make run` and `make test` are the two commands a fresh
# machine needs; both install what is missing first.

GO        ?= go
# The Go release the project builds with: the machine's Go fetches it once
# from the module proxy (go.mod names it too). 1.26.10 carries the
# standard library's security fixes (net/http, crypto/tls, crypto/x509)
# that govulncheck reports for 1.26.8.
export GOTOOLCHAIN := go1.26.10
TAGS      := sqlite_fts5
BIN       := build/bin/portalstudio
DEMO      ?= build/demo.db

.PHONY: deps wasm build build-cli run test vet fmt-check bench bench-ui bench-postgres clean

DESKTOP   := desktop,production,webkit2_41,$(TAGS)
WEB       := app/web

deps:
	bash scripts/deps.sh

# The UI compiled to WebAssembly, embedded by the binary (app/web): built
# before the Go binary, and gzipped once so browser mode serves it small.
wasm:
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $(WEB)/app.wasm ./frontend/cmd/wasm
	gzip -9 -k -f $(WEB)/app.wasm

# The desktop app (Wails window; browser mode where there is no display).
build: deps wasm
	$(GO) build -tags $(DESKTOP) -trimpath -ldflags='-s -w' -o $(BIN) .

# The same binary without the desktop window (no GTK needed): the command
# line and browser mode only.
build-cli: wasm
	$(GO) build -tags $(TAGS) -o $(BIN) .

# The main job: the desktop app on its own workspace (created as a demo
# workspace on first start, in the user's config folder), or the same UI in
# the browser where there is no display.
run: build
	$(BIN)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# Every test: the packages (including the UI's component, transport and
# headless-Chromium end-to-end tests), then the desktop smoke test, which
# runs the real window under Xvfb and saves build/smoke.png. The timeout
# guards against a hang; the server suite (every test on both stores) takes
# about 5 minutes alone on a 2-core machine and more on a busy one.
test: deps wasm fmt-check vet
	$(GO) test -tags $(TAGS) -count=1 -timeout 30m ./...
	$(GO) test -tags $(TAGS),smoke -count=1 -run TestDesktopSmoke -v ./app/
	bash scripts/vuln.sh

vet:
	$(GO) vet -tags $(TAGS) ./...
	GOOS=js GOARCH=wasm $(GO) vet ./frontend/...

# Cold start of browser mode to an interactive settings page, in headless
# Chromium, on a demo workspace.
bench-ui: deps wasm
	$(GO) test -tags $(TAGS) -count=1 -run '^$$' -bench BenchmarkColdStart -benchtime 5x ./app/
	$(GO) test -tags $(TAGS) -count=1 -run '^$$' -bench BenchmarkEditToCount -benchtime 12x ./app/

clean:
	rm -rf build/bin $(DEMO) $(DEMO)-wal $(DEMO)-shm

# The hot paths on a 1,000,000-user demo workspace, built once (several
# minutes) and kept in build/bench.db, and the portal's ticket-list API
# under load on loopback (a bounded Go load generator); then the audience counts on the
# same workspace and rules against cel-go and naive SQL, and search against FTS5 MATCH
# then a join filter (Go benchmarks).
bench: build bench-ui
	$(BIN) bench --workspace build/bench.db
	PORTALSTUDIO_BENCH_WORKSPACE=$(CURDIR)/build/bench.db $(GO) test -tags $(TAGS) -count=1 -run '^$$' -bench BenchmarkEditToCount -benchtime 8x ./app/
	PORTALSTUDIO_BENCH_WORKSPACE=$(CURDIR)/build/bench.db $(GO) test -tags $(TAGS) -count=1 -run '^$$' -bench BenchmarkPortalLoad -benchtime 1x ./backend/server
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime 3x ./backend/demo ./backend/intercom
	PORTALSTUDIO_BENCH_WORKSPACE=$(CURDIR)/build/bench.db $(GO) test -tags $(TAGS) -count=1 -run '^$$' -bench 'BenchmarkAudience|BenchmarkSearch' ./backend/storage/sqlite

# PostgreSQL beside SQLite on the same 1,000,000-user demo (BENCH_USERS
# changes the size; the workspace is made once, then kept): its import
# into a throwaway PostgreSQL cluster (internal/pgtest) with a progress
# bar, search, and the portal list API on the SQLite server, one
# PostgreSQL replica and two; figures and ratios as a Markdown table. The
# benchmark writes the workspace's live settings during the run (put back
# after), so it uses its own file. The cluster gets 1 GB of shared
# buffers, as a server of this size would have (the tests, 64 MB).
BENCH_USERS ?= 1000000
BENCH_PG_DB ?= build/bench-postgres-$(BENCH_USERS).db
bench-postgres: deps build-cli
	test -f $(BENCH_PG_DB) || $(BIN) demo --workspace $(BENCH_PG_DB) --users $(BENCH_USERS) --companies $$(($(BENCH_USERS)/10)) --tickets $$(($(BENCH_USERS)*2))
	PORTALSTUDIO_TEST_STORES=sqlite PORTALSTUDIO_PGTEST_SHARED_BUFFERS=1GB PORTALSTUDIO_BENCH_WORKSPACE=$(CURDIR)/$(BENCH_PG_DB) $(GO) test -tags $(TAGS) -count=1 -timeout 3h -run '^$$' -bench BenchmarkStores -benchtime 1x ./backend/server

# Fuzzing (go test -fuzz), each target for FUZZTIME (default 10s). The
# committed seed corpora (testdata/fuzz/<FuzzName>/) run in `make test`
# as plain tests; this explores further. New failing inputs are written
# to the package's testdata/fuzz and should be committed with the fix.
FUZZTIME ?= 10s
.PHONY: fuzz soak vuln
fuzz:
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzParseRule$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./backend/portal/
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzParseSettings$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./backend/portal/
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzStripHTML$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./backend/portal/
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./backend/intercom/
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzIdentityToken$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./backend/server/
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzSessionCookie$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./backend/server/
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzReadColumns$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./backend/audience/

# The long runs: the oracle property test over SOAK_ROUNDS datasets
# (default 1000, about 4 minutes), the fault injection with more kills
# and a one-minute load test.
SOAK_ROUNDS ?= 1000
soak:
	ORACLE_ROUNDS=$(SOAK_ROUNDS) $(GO) test -tags $(TAGS) -count=1 -timeout 60m -run TestOracleProperty -v ./internal/oracle/
	FAULT_KILLS=60 $(GO) test -tags $(TAGS) -count=1 -timeout 60m -run 'TestKill|TestDisk|TestReadOnly' -v ./backend/cli/
	LOAD_SECONDS=60 $(GO) test -tags $(TAGS) -count=1 -timeout 60m -run TestLoadOracle -v ./internal/oracle/

# Known vulnerabilities in the dependencies and the standard library
# (needs network access to vuln.go.dev; not part of `make test`).
vuln:
	bash scripts/vuln.sh
