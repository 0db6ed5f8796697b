# supctl — build, test, lint, bench, fuzz, demo.
GO        ?= go
BIN       ?= bin
STATICCHECK_VERSION ?= v0.8.2
FUZZTIME  ?= 30s
# The version and commit the binaries report (supctl version, supd --version).
VERSION   ?= $(shell git describe --always --dirty --tags 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS   := -X github.com/supctl/supctl/cmd/internal/buildinfo.version=$(VERSION) -X github.com/supctl/supctl/cmd/internal/buildinfo.commit=$(COMMIT)

.PHONY: all build test lint bench fuzz demo clean mutants dist

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/supctl ./cmd/supctl
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/supd ./cmd/supd

test: pssyntax-deps
	$(GO) test ./...

# The npm packages of the PowerShell syntax checker (reconcile/supd/windows/pssyntax);
# installed once, from package-lock.json.
PSSYNTAX = reconcile/supd/windows/pssyntax
.PHONY: pssyntax-deps
pssyntax-deps:
	@test -d $(PSSYNTAX)/node_modules/tree-sitter-powershell || (cd $(PSSYNTAX) && npm ci --no-audit --no-fund)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }
	$(GO) vet ./...
	GOOS=windows $(GO) build ./...
	GOOS=windows $(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Each fuzz target runs for $(FUZZTIME); go test -fuzz takes one target per package at a time.
fuzz:
	@$(GO) test -list '^Fuzz' ./... | awk '/^Fuzz/{t[n++]=$$1} /^ok/{for(i=0;i<n;i++) print $$2, t[i]; n=0}' | \
	while read -r pkg target; do \
		echo "== fuzz $$pkg $$target"; \
		$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

# Plant the bugs of .ci/mutants.txt one at a time and count the ones the
# tests catch (slow: not part of test or CI).
mutants:
	bash .ci/mutants

# The rule reference, generated from the policies' METADATA (a test checks it).
.PHONY: rules-doc
rules-doc:
	$(GO) run ./cmd/supctl rules --format markdown > policies/RULES.md

# Release archives of supctl and supd (tar.gz; zip for windows) and SHA256SUMS
# in dist/, for every platform of DIST_TARGETS; file dates from the commit.
DIST_TARGETS ?= linux/amd64 linux/arm64 windows/amd64 windows/arm64 darwin/amd64 darwin/arm64
dist:
	rm -rf dist
	$(GO) run ./cmd/dist -version $(VERSION) -commit $(COMMIT) -out dist \
		-date $$(git log -1 --format=%ct 2>/dev/null || date +%s) $(DIST_TARGETS)

demo: build
	bash cmd/supctl/demo/demo.sh

clean:
	rm -rf $(BIN) dist
