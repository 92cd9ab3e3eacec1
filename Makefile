# SPDX-License-Identifier: MIT
# Front door (zstd-style): CMake is the source of truth; each target first
# runs scripts/install-deps.sh so a fresh Debian 12 machine needs nothing else.
#   make          build/s3inv (release with debug info)
#   make test     every test, release build, then the ASan+UBSan build
#   make demo     generate ~1M objects, index them, show du / ls / top
#   make bench    benchmarks into BENCHMARKS.md
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
WERROR ?= ON

.PHONY: all deps deps-test deps-bench build test test-release test-asan fuzz-smoke demo bench clean

all: build

deps:
	@sh scripts/install-deps.sh core
deps-test:
	@sh scripts/install-deps.sh test
deps-bench:
	@sh scripts/install-deps.sh bench

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DS3INV_WERROR=$(WERROR) $(CMAKE_FLAGS) >/dev/null
	@cmake --build build -j $(JOBS)

test: deps-test
	@$(MAKE) --no-print-directory test-release
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory fuzz-smoke

# libFuzzer targets, briefly, from their seed corpora (when clang is present)
fuzz-smoke:
	@if command -v clang >/dev/null && [ -x scripts/fuzz-smoke.sh ]; then \
	  FUZZ_SECONDS=$${FUZZ_SECONDS:-10} bash scripts/fuzz-smoke.sh; \
	else echo "fuzz-smoke: clang not found, skipped"; fi

test-release:
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DS3INV_WERROR=$(WERROR) $(CMAKE_FLAGS) >/dev/null
	@cmake --build build -j $(JOBS)
	cd build && ctest --output-on-failure -j $(JOBS) --timeout 900

# Sanitizer build: ASan + UBSan, every unit and cli test (the browser and
# S3 suites ran above; under ASan they would only be slower).
test-asan:
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DS3INV_SANITIZE=ON -DS3INV_WERROR=$(WERROR) $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 900 -LE 'slow|s3|web'

demo: build
	@bash scripts/demo.sh

bench: deps-bench build
	@bash bench/run.sh

clean:
	rm -rf build build-asan build-fuzz
