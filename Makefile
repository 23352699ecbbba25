# Portal Studio. `make run` and `make test` are the two commands a fresh
# machine needs; both install what is missing first.

GO        ?= go
TAGS      := sqlite_fts5
BIN       := build/bin/portalstudio
DEMO      ?= build/demo.db

.PHONY: deps build run test vet fmt-check bench clean

deps:
	bash scripts/deps.sh

build: deps
	$(GO) build -tags $(TAGS) -o $(BIN) .

# The main job. Until the desktop app lands, it builds the binary, creates
# a demo workspace and shows it through the command line.
run: build
	test -f $(DEMO) || $(BIN) demo --workspace $(DEMO)
	$(BIN) settings show --workspace $(DEMO)
	$(BIN) audience --workspace $(DEMO) --limit 5
	$(BIN) audience --workspace $(DEMO) --of visibility --limit 5
	$(BIN) preview --workspace $(DEMO) --user alice.martin@examply.com --limit 5
	$(BIN) preview --workspace $(DEMO) --user bob.chen@examply.com --limit 5

vet:
	$(GO) vet -tags $(TAGS) ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

test: deps fmt-check vet
	$(GO) test -tags $(TAGS) -count=1 ./...

clean:
	rm -rf build/bin $(DEMO) $(DEMO)-wal $(DEMO)-shm

# The hot paths on a 1,000,000-user demo workspace, built once (several
# minutes) and kept in build/bench.db.
bench: build
	$(BIN) bench --workspace build/bench.db
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime 3x ./backend/demo ./backend/intercom
