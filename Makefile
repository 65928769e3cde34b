# dialogd — the dialog-task runtime.
#   make run     start botd on http://localhost:8080 (ADDR=host:port for another): the embedded demo bot at /,
#                the whole Salesforce catalogue against an emulated org at /salesforce
#   make test    install what the tests need (redis-server, chromium) and run every test and the NLU gate
#   make test-short  the fast tier: every test that needs no Redis, Chromium or network (go test -short)
#   make bench   Go benchmarks plus a WebSocket load test of the bench dialog
#   make faults  the fault suite alone (make test runs it last): two botd on Redis, kill -9 and a Redis restart under load
GO      ?= go
PKGS    ?= ./...
BENCHTIME ?= 1s

.PHONY: run test test-short faults deps vet bench bench-go bench-load fuzz lint build clean

# No Redis, no Salesforce: botd serves the demo API and the emulated org
# itself (-demo-api and -demo-salesforce auto).
run:
	$(GO) run ./cmd/botd

build:
	$(GO) build -o bin/ ./cmd/...

# The tests start their own redis-server and Chromium (with a Japanese
# font, so that screenshots of Japanese conversations can be read), and fetch the
# Mermaid parser with npm (web/browsertest); this installs the Debian
# packages when they are missing (RUNLEVEL=1 keeps apt from starting
# a system Redis: the tests never use one).
deps:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	fc-list :lang=ja 2>/dev/null | grep -q . || missing="$$missing fonts-ipafont-gothic"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi; \
	command -v redis-server >/dev/null && command -v chromium >/dev/null && command -v npm >/dev/null || { echo "deps: redis-server, chromium or npm still missing" >&2; exit 1; }

vet:
	$(GO) vet $(PKGS)

# The NLU gate: the catalogue bot must classify its batch-test suite at
# 95 % or better (botctl nlu test; the file format is in docs/bots.md).
NLU_MIN_ACCURACY ?= 0.95
test: deps vet
	$(GO) test -count=1 -timeout 20m $(PKGS)
	$(GO) run ./cmd/botctl nlu test --min-accuracy $(NLU_MIN_ACCURACY) examples/salesforce_demo cmd/botctl/testdata/nlu/catalogue.tsv
	$(MAKE) --no-print-directory faults

# The edit-test loop: tests that start redis-server or Chromium, and long
# load tests, skip themselves under -short (in their shared helpers). CI runs
# `make test`, never this.
test-short:
	$(GO) test -short -timeout 5m $(PKGS)

# The fault suite (cmd/botd/faults_test.go): builds botd, runs two of them
# on one redis-server (AOF on) or a 3-master Redis Cluster, with 50 users of
# the demo bot, then kills one botd with SIGKILL mid-turn, and stops Redis
# with SIGTERM and restarts it; and 200 conversations of a Salesforce bot
# logged to sfsim while one botd is killed. About 100 s, after the other tests (so that
# its timings are its own): `make test`, and so CI, runs it last.
faults: deps
	FAULTS=1 $(GO) test -count=1 -timeout 5m -run '^TestFault' -v ./cmd/botd/

bench: deps bench-go bench-load

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./dialog/ ./sessions/... ./channels/ ./nodes/

bench-load: build
	$(GO) run ./cmd/botbench

# Short coverage-guided runs of every fuzz target, FUZZTIME each (the seed
# corpora run in `make test`). A package whose tests do not build fails the
# run instead of being skipped with its targets; each target is matched
# whole, so FuzzParse does not also run FuzzParseSearch.
FUZZTIME ?= 10s
fuzz:
	@n=0; for pkg in $$($(GO) list $(PKGS)); do \
	  list=$$($(GO) test -list '^Fuzz' $$pkg) || { echo "fuzz: $$pkg: the tests do not build" >&2; exit 1; }; \
	  for f in $$(printf '%s\n' "$$list" | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; n=$$((n+1)); \
	  done; \
	done; echo "fuzz: $$n targets ran, $(FUZZTIME) each"

lint: build
	./bin/botctl lint examples/demo examples/bench examples/salesforce_demo

clean:
	rm -rf bin
