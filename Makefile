# Thin wrapper over CMake and the scripts; README.md names these targets.
#   make demo    deps, Release build, rootfs, then bundles/demo.sh and bundles/gocker-demo.sh
#   make test    deps, Release + Debug (ASan+UBSan) builds, rootfs, unit tests (Debug), integration tests (Release),
#                the cgroup v2 VM tests, then make conformance (tests/conformance/*.sh), then make faults-quick, make lint and a short make fuzz
#   make faults  the full fault walk (tests/faults/), the concurrency and disk-trouble checks
SHELL := /bin/bash
JOBS ?= $(shell nproc)
BUILD_DIR ?= build
DEBUG_BUILD_DIR ?= build-debug
ROOTFS := rootfs/out/busybox

.PHONY: all deps build build-debug rootfs demo test unit integration vm-test conformance bench clean distclean lint fuzz
.PHONY: build-faults faults faults-quick

all: build

deps:
	scripts/install-deps

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD_DIR) -j$(JOBS)

# The sanitizer build makes only what the `unit` label runs (unit tests, the benchmark smoke
# run): building everything twice would double the time of `make test`.
build-debug: deps
	cmake -S . -B $(DEBUG_BUILD_DIR) -DCMAKE_BUILD_TYPE=Debug
	cmake --build $(DEBUG_BUILD_DIR) -j$(JOBS) --target unit_tests micro_bench

# The script is idempotent too; the file target just keeps `make` quiet once the rootfs exists.
rootfs: $(ROOTFS)/bin/sh
$(ROOTFS)/bin/sh: | deps
	rootfs/build-rootfs.sh --out $(ROOTFS)

demo: deps build rootfs
	GOCKER_RUNTIME=$(CURDIR)/$(BUILD_DIR)/gocker-runtime bash bundles/demo.sh
	GOCKER=$(CURDIR)/$(BUILD_DIR)/gocker GOCKER_RUNTIME=$(CURDIR)/$(BUILD_DIR)/gocker-runtime bash bundles/gocker-demo.sh

# Every suite always runs; the target fails when one does. ctest exits 0 with
# "No tests were found" for a label that has no tests yet. The VM exits 77 when it cannot run
# here (no qemu, no kernel package): that is reported as SKIPPED with its reason in the last
# line, not as a pass, and fails the target when GOCKER_REQUIRE_VM=1 (for a machine that must
# run it).
test: deps build build-debug rootfs
	ctest --test-dir $(DEBUG_BUILD_DIR) -L unit --output-on-failure; unit=$$?; \
	ctest --test-dir $(BUILD_DIR) -L integration --output-on-failure; integration=$$?; \
	tests/vm/cgroup2-vm.sh --runtime $(BUILD_DIR)/gocker-runtime 2>&1 | tee $(BUILD_DIR)/vm-test.log; \
	vm=$${PIPESTATUS[0]}; \
	verdict() { (( $$1 == 0 )) && echo passed || echo FAILED; }; \
	vm_says=$$(verdict $$vm); \
	if (( vm == 77 )); then \
	  vm_says="SKIPPED ($$(grep -m1 -o 'SKIP: .*' $(BUILD_DIR)/vm-test.log | cut -c7-))"; \
	  vm=$$(( $${GOCKER_REQUIRE_VM:-0} == 1 )); \
	fi; \
	$(MAKE) --no-print-directory conformance; conformance=$$?; \
	$(MAKE) --no-print-directory faults-quick; faults=$$?; \
	$(MAKE) --no-print-directory lint; lint=$$?; \
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_TEST_SECONDS); fuzz=$$?; \
	echo "make test: unit tests $$(verdict $$unit), integration tests $$(verdict $$integration), cgroup v2 VM tests $$vm_says, conformance suites $$(verdict $$conformance), fault walk $$(verdict $$faults), lint $$(verdict $$lint), fuzz pass $$(verdict $$fuzz)"; \
	exit $$(( unit || integration || vm || conformance || faults || lint || fuzz ))

# The pure cgroup v2 checks in a qemu VM (this host's cgroups are hybrid): exit 77 = skipped.
vm-test: build rootfs
	tests/vm/cgroup2-vm.sh --runtime $(BUILD_DIR)/gocker-runtime

# Every suite of tests/conformance (the runtime-tools validation suite, the real clients), each
# against the Release binary; a suite that cannot run here prints why and exits 77 (skipped).
conformance: build rootfs
	@rc=0; for suite in tests/conformance/*.sh; do \
	    echo "== conformance: $$suite"; \
	    GOCKER_RUNTIME=$(CURDIR)/$(BUILD_DIR)/gocker-runtime bash $$suite; r=$$?; \
	    (( r == 77 )) && echo "== conformance: $$suite skipped" && r=0; (( r )) && rc=1; \
	done; exit $$rc

unit:
	ctest --test-dir $(DEBUG_BUILD_DIR) -L unit --output-on-failure

integration:
	ctest --test-dir $(BUILD_DIR) -L integration --output-on-failure

bench: build
	@if [[ -x $(BUILD_DIR)/bench/micro_bench ]]; then $(BUILD_DIR)/bench/micro_bench; fi
	@if [[ -x bench/compare ]]; then GOCKER_RUNTIME=$(CURDIR)/$(BUILD_DIR)/gocker-runtime bench/compare; \
	 else echo "bench: bench/compare is not executable (lost its mode?)" >&2; exit 1; fi

# The fault walk (tests/faults/fault-walk.sh) needs a runtime built with its fault points: an
# unoptimised dynamic build of the runtime and gocker-net, in build-faults/. `faults-quick` (part of
# make test) walks each point at most 3 times it is reached; `faults` walks them all, each
# also followed by a create of the same id, then runs the concurrency and disk-trouble checks.
# Both also walk gocker-net's points (net_fault_walk, tests/faults/net_fault_walk.cpp).
# Both run tests/faults/fault-checks.sh after the walk (run's lock, exec's helper; a few seconds).
FAULTS_BUILD_DIR ?= build-faults
build-faults: deps
	cmake -S . -B $(FAULTS_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O0 \
	  -DGOCKER_FAULT_POINTS=ON -DGOCKER_STATIC=OFF -DGOCKER_BUILD_TESTS=OFF -DGOCKER_BUILD_BENCH=OFF
	cmake --build $(FAULTS_BUILD_DIR) -j$(JOBS) --target gocker-runtime gocker-net net_fault_walk

faults-quick: build-faults rootfs
	@rc=0; tests/faults/fault-walk.sh --quick --runtime $(FAULTS_BUILD_DIR)/gocker-runtime || rc=1; \
	$(FAULTS_BUILD_DIR)/net_fault_walk || rc=1; \
	tests/faults/fault-checks.sh --runtime $(FAULTS_BUILD_DIR)/gocker-runtime || rc=1; exit $$rc

faults: build build-faults rootfs
	@rc=0; tests/faults/fault-walk.sh --recreate --runtime $(FAULTS_BUILD_DIR)/gocker-runtime || rc=1; \
	$(FAULTS_BUILD_DIR)/net_fault_walk || rc=1; \
	tests/faults/fault-checks.sh --runtime $(FAULTS_BUILD_DIR)/gocker-runtime || rc=1; \
	tests/faults/concurrency.sh --runtime $(BUILD_DIR)/gocker-runtime || rc=1; \
	tests/faults/disk-trouble.sh --runtime $(BUILD_DIR)/gocker-runtime || rc=1; exit $$rc

clean:
	rm -rf $(BUILD_DIR) $(DEBUG_BUILD_DIR) $(FAULTS_BUILD_DIR) bundles/out build-fuzz

# Also drops the rootfs, the downloaded busybox-static .deb and the conformance suites' cache (Go, builds).
distclean: clean
	rm -rf rootfs/out rootfs/cache tests/conformance/cache

.PHONY: package install

# The Debian package, build/gocker-runtime_VERSION_ARCH.deb (CPack; cmake/Shipping.cmake).
package: build
	cd $(BUILD_DIR) && cpack -G DEB

# Installs the Release build under PREFIX (default /usr/local), or into DESTDIR when set.
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

# clang-format (.clang-format; files in .clang-format-pending wait for the tree-wide reformat,
# scripts/format-tree) and shellcheck on every shell script.
lint: deps
	scripts/format-tree --check
	scripts/shellcheck-tree

# The libFuzzer targets of tests/fuzz (clang, build-fuzz/), each for FUZZ_SECONDS; `make test`
# runs a short pass of FUZZ_TEST_SECONDS each.
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 5
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) tests/fuzz/run-fuzz.sh

# The web console (gocker gui) driven in headless Chromium, saving its screenshots into docs/
# (README shows them). `make test` runs the same browser test without saving anything.
.PHONY: gui-screenshots
gui-screenshots: build rootfs
	unshare -m -n --propagation private sh -c 'ip link set lo up && exec /usr/bin/python3 tests/gocker/gui_browser_test.py \
	  --gocker $(BUILD_DIR)/gocker --runtime $(BUILD_DIR)/gocker-runtime --rootfs $(CURDIR)/$(ROOTFS) --screenshots docs'
