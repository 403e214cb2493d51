#!/bin/sh
# Hides nvcc (PATH without CUDA, no hint, no CUDACXX) and configures + builds the program.
SRC=$1; B=$2
rm -rf "$B"
# PATH without any folder that holds an nvcc.
P=""
for d in $(echo "$PATH" | tr ':' ' '); do
  [ -x "$d/nvcc" ] || P="${P:+$P:}$d"
done
env -u CUDACXX PATH="$P" cmake -S "$SRC" -B "$B" -DCLUSTERSIM_NVCC_HINT=/nonexistent/nvcc > "$B.log" 2>&1 \
  || { cat "$B.log"; echo "build_without_nvcc: 0 passed, 1 failed"; exit 1; }
grep -q "nvcc not found: SKIPPING kernels/" "$B.log" || { cat "$B.log"; echo "FAIL: no skip message"; exit 1; }
grep "clustersim:" "$B.log"
if grep -q "CUDA .* found: building kernels" "$B.log"; then echo "FAIL: CUDA was still found"; exit 1; fi
env PATH="$P" cmake --build "$B" -j 2 --target clustersim > "$B.build.log" 2>&1 \
  || { tail -30 "$B.build.log"; echo "build_without_nvcc: 0 passed, 1 failed"; exit 1; }
"$B/clustersim" run "$SRC/scenarios/paper/table1.yaml" --db "$B/t.sqlite" -q || exit 1
rm -rf "$B" "$B.log" "$B.build.log"
echo "build_without_nvcc: 1 passed, 0 failed"
