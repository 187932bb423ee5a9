# SIGeSS — one target per task. `make run` and `make test` work on a fresh Debian
# machine: scripts/services.sh installs and starts PostgreSQL and Redis if needed.

GO      ?= go
BIN     := bin/sigess
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/sigess/sigess/internal/cli.Version=$(VERSION)
HELM    := $(CURDIR)/bin/helm

.PHONY: run build services test browser lint bench chart clean

## run: migrate, provision the demo region, and serve on :8080
run: build services
	$(BIN) migrate
	$(BIN) demo
	@echo
	@echo "SIGeSS is starting: http://localhost:8080/  (Roma Capitale: http://localhost:8080/t/roma/ or http://roma.localhost:8080/)"
	@echo "Stop with Ctrl-C."
	$(BIN) all

## build: the sigess binary
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/sigess

## services: PostgreSQL and Redis running, roles and database created
services:
	bash scripts/services.sh

## test: the whole suite against real PostgreSQL, Redis and helm, and in a real
## browser (tests/browser: Chromium, Node.js and npm, installed by services.sh)
test: export SERVICES_BROWSER = yes
test: services $(HELM)
	$(GO) vet ./...
	bash scripts/services_test.sh
	HELM=$(HELM) $(GO) test -count=1 ./...

## browser: only the browser tests (Playwright + axe-core against the real binary)
browser: export SERVICES_BROWSER = yes
browser: services
	$(GO) test -count=1 -v ./tests/browser/

## lint: formatting and vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt-ed: $$out"; exit 1; fi
	$(GO) vet ./...

## bench: Go benchmarks and load scripts (figures go to docs/benchmarks.md)
bench: services
	bash bench/run.sh

## chart: render the Helm chart with a pinned helm built from the Go module proxy
chart: $(HELM)
	$(HELM) lint --strict charts/sigess --set baseDomain=sigess.example.it \
		--set database.url=postgres://app@db/sigess --set database.adminUrl=postgres://owner@db/sigess --set redis.url=redis://redis:6379/0
	$(HELM) template sigess charts/sigess --set baseDomain=sigess.example.it \
		--set database.url=postgres://app@db/sigess --set database.adminUrl=postgres://owner@db/sigess --set redis.url=redis://redis:6379/0

$(HELM): scripts/helm.sh
	bash scripts/helm.sh

clean:
	rm -rf bin
