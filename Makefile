# The two commands of the README: `make demo` and `make test`.
# Both install what is missing (Debian packages), build in Release and run.
BUILD   ?= build
JOBS    ?= $(shell nproc)
CMAKE_FLAGS ?=

# Debian 12 packages the build and the test suite need (one line each, why in README.md).
PKGS := build-essential cmake pkg-config \
        libgdal-dev gdal-bin libgeos-dev libproj-dev proj-bin \
        libboost-dev libtiff-dev catch2 libcli11-dev libtomlplusplus-dev \
        nlohmann-json3-dev

.PHONY: all deps build demo test clean

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

demo: build
	@bash examples/demo.sh $(BUILD)/hotspot

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD)

# Benchmark harness (issue 8): bench/run builds Release in build-bench, generates bench/data/
# and writes bench/RESULTS.md.new; not part of `make test`. `make bench BENCH_ARGS=--quick`.
.PHONY: bench
bench: deps
	bash bench/run $(BENCH_ARGS)
