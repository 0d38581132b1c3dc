# The two commands of the README: `make demo` and `make test`.
# Both install what is missing (Debian packages), build in Release and run.
BUILD   ?= build
JOBS    ?= $(shell nproc)
CMAKE_FLAGS ?=

# Debian 12 packages the build and the test suite need (one line each, why in README.md).
PKGS := build-essential cmake pkg-config \
        libgdal-dev gdal-bin libgeos-dev libproj-dev proj-bin \
        libboost-dev libtiff-dev catch2 libcli11-dev libtomlplusplus-dev \
        nlohmann-json3-dev libsqlite3-dev libssl-dev libtcmalloc-minimal4

.PHONY: all deps build build-cli demo test clean

all: build

# Idempotent: only packages not yet installed are fetched; apt-get update runs only then.
deps:
	@missing=""; for p in $(PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all present"; fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# make demo builds the CLI alone (not the test suite): a few CPU-minutes less on a fresh machine.
build-cli: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS) --target hotspot

demo: build-cli
	@bash examples/demo.sh $(BUILD)/hotspot

test: optional-deps-start build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD)

# ---- Robustness: the suite under AddressSanitizer + UndefinedBehaviorSanitizer, and fuzzing.
# `make test` also builds the suite with HOTSPOT_SANITIZE=ON in its own folder and runs it
# (leaks checked; third-party leaks, if any appear, go in tests/lsan.supp with a comment each).
ASAN_BUILD ?= build-asan
# Which tests run under the sanitizers (ctest arguments): all but the slow ones and the QGIS
# plugin's (Python driving QGIS; nothing of ours to instrument there).
ASAN_CTEST ?= -LE "slow|qgis"
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
            UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
.PHONY: test-asan fuzz
test: test-asan
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
	  "-DCMAKE_C_FLAGS_DEBUG=-O1 -g1" -DHOTSPOT_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target hotspot hotspot_tests
	cd $(ASAN_BUILD) && $(ASAN_ENV) ctest --output-on-failure -j $(JOBS) $(ASAN_CTEST)

# libFuzzer harnesses (tests/fuzz, clang), each run FUZZ_SECONDS on its seed corpus.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
PKGS += clang libclang-rt-14-dev
# CI runs the bounded fuzzing too: ~3 min of fuzzing + ~1-2 min of clang build on 2 cores.
test: fuzz
fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
	  "-DCMAKE_C_FLAGS_DEBUG=-O1 -g1" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	  -DHOTSPOT_FUZZ=ON -DHOTSPOT_BUILD_TESTS=OFF >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target hotspot_fuzzers
	bash tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# Benchmark harness (issue 8): bench/run builds Release in build-bench, generates bench/data/
# and writes bench/RESULTS.md.new; not part of `make test`. `make bench BENCH_ARGS=--quick`.
.PHONY: bench
bench: deps
	bash bench/run $(BENCH_ARGS)

# The QGIS plugin (qgis/, README "QGIS plugin"): `make qgis-plugin` writes the zip that QGIS's
# Install from ZIP takes. deps-qgis installs the Debian QGIS packages the plugin's tests need; it
# never fails the build: without them the qgis tests report skipped. HOTSPOT_QGIS=0 leaves it out.
# Measured: about 2 minutes on a fresh Debian 12 (some 180 packages).
QGIS_PKGS := qgis qgis-providers python3-qgis
HOTSPOT_QGIS ?= 1

.PHONY: qgis-plugin deps-qgis

qgis-plugin:
	python3 qgis/build_zip.py --out $(BUILD)/hotspot_qgis.zip --styles styles

deps-qgis:
	@if [ "$(HOTSPOT_QGIS)" = 0 ]; then echo "deps-qgis: HOTSPOT_QGIS=0: the qgis tests will report skipped"; exit 0; fi; \
	missing=""; for p in $(QGIS_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps-qgis: all present"; exit 0; fi; \
	echo "deps-qgis: installing$$missing (for the QGIS plugin tests only)"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	start=$$(date +%s); \
	if $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get -o DPkg::Lock::Timeout=1200 \
	     install -y -qq --no-install-recommends $$missing >/dev/null; then \
	  echo "deps-qgis: installed in $$(( $$(date +%s) - start )) s"; \
	else echo "deps-qgis: could not install$$missing: the qgis tests will report skipped"; fi


# Optional test dependencies: headless Chromium and pdfinfo for the tasking report's browser
# test (tests/browser/check_report.py). Never fails the build: when the install fails the test
# reports itself as skipped (CTest: "Not Run (Skipped)"). Measured: ~45 s on a fresh Debian 12
# with the package lists present (chromium + its libraries, about 100 MB).
# PostgreSQL with PostGIS: the tests/postgis server (skipped, never passed, without it).
TEST_PKGS := chromium poppler-utils postgresql postgis postgresql-15-postgis-3
.PHONY: test-deps
test-deps:
	@missing=""; for p in $(TEST_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "test-deps: installing$$missing (optional)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	  ( $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get -o DPkg::Lock::Timeout=1200 \
	      install -y -qq --no-install-recommends $$missing >/dev/null ) \
	    || echo "test-deps: could not install$$missing; the browser test will be reported as skipped"; \
	else echo "test-deps: all present"; fi
test: optional-deps-wait

# The optional test packages (QGIS, Chromium) are installed in the background while the three
# builds run: apt is network- and disk-bound, the builds CPU-bound, and on a fresh machine the
# two installs took about 3 minutes in series before the Release suite. The Release suite waits
# for them (at most 30 minutes; after that their tests report skipped, as when they cannot be
# installed). The log is printed when the wait ends.
.PHONY: optional-deps-start optional-deps-wait
optional-deps-start: deps
	@mkdir -p $(BUILD) && rm -f $(BUILD)/optional-deps.done
	@( $(MAKE) --no-print-directory deps-qgis test-deps >$(BUILD)/optional-deps.log 2>&1; \
	   touch $(BUILD)/optional-deps.done ) </dev/null >/dev/null 2>&1 &
	@echo "optional-deps: installing QGIS and Chromium in the background ($(BUILD)/optional-deps.log)"
optional-deps-wait:
	@waited=0; while [ ! -f $(BUILD)/optional-deps.done ] && [ $$waited -lt 1800 ]; do sleep 5; waited=$$((waited + 5)); done; \
	cat $(BUILD)/optional-deps.log 2>/dev/null; \
	[ -f $(BUILD)/optional-deps.done ] || echo "optional-deps: still installing after 30 minutes; the qgis and browser tests may report skipped"
