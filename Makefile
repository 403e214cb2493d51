# Thin wrapper: the two commands of the README.
#   make reproduce  installs what is missing, builds, runs every paper scenario, writes results/
#   make test       installs what is missing, builds, runs ctest
BUILD ?= build
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps configure build reproduce test asan clean
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

# ASan/UBSan configuration of the same test suite.
asan:
	@sh cmake/install-deps.sh
	cmake -S . -B build-asan -DCLUSTERSIM_SANITIZE=ON -DCLUSTERSIM_CUDA=OFF -DCMAKE_BUILD_TYPE=Debug
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS) -LE gpu

clean:
	rm -rf $(BUILD) build-asan
