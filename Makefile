# converge: every entry point installs what is missing, configures, builds and runs.
#   make demo       a tour of what exists, on the embedded default configuration
#   make test       the whole suite (g++ build)
#   make test-asan  the suite under ASan + UBSan (clang 19)
#   make fuzz-smoke each fuzz target for FUZZ_SECONDS seconds (clang 19 libFuzzer; the
#                   asan build holds the tests and the fuzz targets, so CI compiles with clang once)
#   make ci         everything CI runs
SHELL := /bin/bash
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 15
# ccache hits across clones (CI builds a fresh clone in a new directory): paths
# relative to the checkout, and the working directory left out of the hash.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true

.PHONY: deps build build-clang build-asan build-fuzz test test-clang test-asan fuzz-smoke demo ci clean

deps:
	@scripts/install-deps.sh

build: deps
	cmake --preset default >/dev/null
	cmake --build --preset default -j $(JOBS)

build-clang: deps
	cmake --preset clang >/dev/null
	cmake --build --preset clang -j $(JOBS)

build-asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)

build-fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)

test: build
	ctest --preset default

test-clang: build-clang
	ctest --preset clang

test-asan: build-asan
	ctest --preset asan

fuzz-smoke: build-asan
	scripts/fuzz-smoke.sh build/asan $(FUZZ_SECONDS)

demo: build
	scripts/demo.sh build/default

ci: fuzz-smoke test-asan test

clean:
	rm -rf build
