# Thin wrapper: the two commands of the README.
#   make reproduce  installs what is missing, builds, runs every paper scenario, writes results/
#   make test       installs what is missing, builds, runs ctest
BUILD ?= build
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps configure build reproduce test asan ubsan fuzz clean
all: build

deps:
	@sh cmake/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

configure: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

reproduce: build
	./$(BUILD)/clustersim reproduce

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# ASan/UBSan configuration of the same test suite, plus every paper scenario (smaller sweeps;
# tests/fuzz/sanitize_reproduce.sh).
asan:
	@sh cmake/install-deps.sh
	cmake -S . -B build-asan -DCLUSTERSIM_SANITIZE=ON -DCLUSTERSIM_CUDA=OFF -DCMAKE_BUILD_TYPE=Debug
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS) -LE gpu

# UBSan alone (trapping: -fno-sanitize-recover), the whole suite but the libFuzzer smoke runs (make test
# has them) plus every paper scenario; CI runs it after make test.
ubsan:
	@sh cmake/install-deps.sh
	cmake -S . -B build-ubsan -DCLUSTERSIM_UBSAN=ON -DCLUSTERSIM_CUDA=OFF -DCLUSTERSIM_FUZZ_SMOKE=OFF
	cmake --build build-ubsan -j $(JOBS)
	cd build-ubsan && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -j $(JOBS) -LE gpu -E "^fuzz_smoke_"

# Long fuzz campaigns (tests/fuzz): every target for FUZZ_SECONDS (default 600) with clang's
# libFuzzer, ASan and UBSan; the corpus grows in build-fuzz/fuzz-corpus/ from run to run, findings
# land in build-fuzz/fuzz-corpus/findings/. FUZZ_TARGETS="scen report" picks some.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= scen set units trace report routing
fuzz:
	@sh cmake/install-deps.sh
	CC=clang cmake -S . -B build-fuzz -DCLUSTERSIM_FUZZ=ON -DCLUSTERSIM_CUDA=OFF -DCLUSTERSIM_WERROR=OFF \
	  -DCLUSTERSIM_FUZZ_SECONDS=$(FUZZ_SECONDS)
	cmake --build build-fuzz -j $(JOBS) --target fuzz_all
	cd build-fuzz && ctest --output-on-failure -R "^fuzz_smoke_($(shell echo $(FUZZ_TARGETS) | tr ' ' '|'))$$"

clean:
	rm -rf $(BUILD) build-asan build-ubsan build-fuzz
