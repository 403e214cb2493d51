#!/bin/sh
# Build kernels/ standalone, run the GPU tests, then the bench; logs and the trace go to $OUT.
#   sh kernels/bench/run_device.sh [bench args...]     (on the device machine, from the repo root)
# Environment: BUILD_DIR (default build-k, as in kernels/README.md), TESTS (default "mla gemm moe
#   logfmt"), SKIP_BUILD=1 (use the binaries already in BUILD_DIR, e.g. built on another x86-64
#   machine with CUDA 13.0 and carried), SKIP_TESTS=1, SKIP_BENCH=1, TRACE (trace file name under
#   $OUT, default h100.csv; the checked-in results/traces/h100.csv is never written here),
#   TEST_TIMEOUT (s per test, default 120), BENCH_TIMEOUT (s, default 480): a hung kernel
#   (e.g. a pipeline deadlock) ends the step instead of the whole device call.
# Quick modes: `sh kernels/bench/run_device.sh --only mla` (ceilings + the MLA sweep),
#   `--only logfmt`, `--only mla,logfmt --quick` (3 MLA shapes + one LogFMT size).
set -u
OUT=${OUT:-/tmp/kern_out}
mkdir -p "$OUT"
B=${BUILD_DIR:-build-k}
{ nvidia-smi; nvidia-smi -q -d CLOCK | head -40; } > "$OUT/nvidia-smi.txt" 2>&1
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cmake -S kernels -B $B -DCMAKE_BUILD_TYPE=Release > "$OUT/build.log" 2>&1 &&
    cmake --build $B -j16 >> "$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
  echo "build ok"
fi
if [ "${SKIP_TESTS:-0}" != 1 ]; then
  for t in ${TESTS:-mla gemm moe logfmt}; do
    timeout ${TEST_TIMEOUT:-120} ./$B/tests-kernels/test_kern_$t; echo "test_kern_$t exit $?"
  done > "$OUT/tests.log" 2>&1
  grep -E "FAIL|exit|passed|diagnosis|reconstruction" "$OUT/tests.log"
fi
if [ "${SKIP_BENCH:-0}" != 1 ]; then
  timeout ${BENCH_TIMEOUT:-480} ./$B/kern_bench --out "$OUT/${TRACE:-h100.csv}" "$@" > "$OUT/bench.log" 2>&1
  echo "bench exit $?"
  sed -n '/^op  /,$p' "$OUT/bench.log" | head -400
fi
