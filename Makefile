# A thin wrapper over CMake. `make run` and `make check` are the two commands a newcomer needs.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 600
JOBS ?= $(shell nproc)
PYTEST ?= /usr/bin/python3 -m pytest
DEMO_DB ?= hallpass-demo.db

.PHONY: all deps run check lint web-unit unit integration browser bench bench-smoke asan fuzz-build \
	fuzz-smoke fuzz format format-check clean install deb deb-check

all: $(BUILD)/hallpass

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

$(BUILD)/hallpass: $(BUILD)/CMakeCache.txt FORCE
	cmake --build $(BUILD) -j $(JOBS)

FORCE:

run: deps
	$(MAKE) all
	./$(BUILD)/hallpass demo --db $(DEMO_DB)

check: deps
	$(MAKE) all
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) web-unit
	$(MAKE) integration
	$(MAKE) bench-smoke
	$(MAKE) browser
	$(MAKE) fuzz-smoke

unit: $(BUILD)/hallpass
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

integration: $(BUILD)/hallpass
	HALLPASS_BIN=$(abspath $(BUILD)/hallpass) $(PYTEST) -q tests/integration

# The pages in headless Chromium, driven by playwright-core from npm.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

browser: $(BUILD)/hallpass node_modules/.package-lock.json
	HALLPASS_BIN=$(abspath $(BUILD)/hallpass) node --test tests/browser/

# The page modules' render functions and helpers, in Node without a browser.
web-unit: node_modules/.package-lock.json
	node --test tests/web/

# ESLint over the pages, tests and scripts (eslint.config.js), and clang-format over the C.
lint: node_modules/.package-lock.json
	./node_modules/.bin/eslint --max-warnings 0 .
	$(MAKE) format-check

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
	    -DHALLPASS_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)
	HALLPASS_BIN=$(abspath $(ASAN_BUILD)/hallpass) ASAN_OPTIONS=detect_leaks=1 \
	    $(PYTEST) -q tests/integration

# The benchmarks (docs/benchmarks.md): about 20 minutes and 6 GB of temporary files.
# bench-smoke runs every step once on small data in seconds, as part of make check.
bench: $(BUILD)/hallpass
	bash bench/run.sh --build $(BUILD)

bench-smoke: $(BUILD)/hallpass
	bash bench/run.sh --smoke --build $(BUILD)

# libFuzzer targets (fuzz/): a few seconds each in make check, FUZZ_SECONDS each with make fuzz.
fuzz-build: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
	    -DHALLPASS_FUZZ=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_import fuzz_json fuzz_query \
	    fuzz_datetime fuzz_natord

fuzz-smoke: fuzz-build
	bash scripts/fuzz.sh $(FUZZ_BUILD) 5

fuzz: fuzz-build
	bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# Installing and packaging: make install (PREFIX, DESTDIR) through CMake's install rules, make deb
# the Debian package in $(DEB_BUILD)/, make deb-check installs that package here, uses it and
# purges it (it needs root).
PREFIX ?= /usr/local
DESTDIR ?=
DEB_BUILD ?= build-deb

install: $(BUILD)/CMakeCache.txt
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS) --target hallpass
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

deb:
	bash scripts/build-deb.sh $(DEB_BUILD)

deb-check:
	bash scripts/deb-check.sh $(DEB_BUILD)

SOURCES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find src tests -name '*.[ch]')

format:
	clang-format -i $(SOURCES)

format-check:
	@clang-format --dry-run -Werror $(SOURCES)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
