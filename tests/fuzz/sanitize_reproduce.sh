#!/bin/sh
# Every paper scenario (scenarios/paper/*.yaml, what `make reproduce` runs) under the sanitizer build
# (`make asan`: ASan + UBSan, halt on error), each with a smaller sweep or size where the full one takes
# minutes. A scenario added to scenarios/paper/ without a line here fails this test, so none is missed.
# Usage: sanitize_reproduce.sh CLUSTERSIM SOURCE_DIR
CS=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0; n=0
# scenario  overrides (empty: the whole scenario)
cat > "$T/list" <<'L'
ep_node_limited --set sweep.node_limit=[0,4] --set tokens=128
fig5 --set sweep.gpus=[32] --set sweep.bytes=[64KiB,1MiB]
fig6 --set sweep.bytes=[1KiB,64KiB]
fig7 --set sweep.gpus=[16,32] --set tokens=256
fig8 --set sweep.ranks=[2,8] --set sizes=[1MiB]
fp8_accum --set sweep.k=[128,1024] --set trials=4
incast --set sweep.senders=[2,4] --set bytes=256KiB
kv_cache_context
latency_load --set sweep.load=[0,0.5] --set iterations=5 --set background_gpus=64
logfmt
logfmt_cost --set sweep.elements=[4194304]
pcie_contention --set ep.rounds=20 --set ep.warmup_rounds=2
table1
table2
table3
table5
tpot
tpot_nvl72
tpot_vs_nic --set layers=4 --set sweep.topology.node.nic.bw=[100Gbps,1600Gbps]
tpot_vs_context --set layers=4 --set sweep.context=[1024,32768]
tpot_vs_tokens --set layers=4 --set sweep.tokens_per_gpu=[4,8]
tpot_latency --set layers=4
L
for f in "$SRC"/scenarios/paper/*.yaml; do
  b=$(basename "$f" .yaml)
  grep -q "^$b\( \|$\)" "$T/list" || { echo "FAIL $b: no line in sanitize_reproduce.sh"; fail=$((fail + 1)); }
done
while read -r name args; do
  n=$((n + 1))
  # shellcheck disable=SC2086
  if "$CS" run "$SRC/scenarios/paper/$name.yaml" --db "$T/$name.sqlite" -q $args > "$T/$name.log" 2>&1; then
    echo "ok   $name $args"
  else
    echo "FAIL $name $args:"; tail -n 30 "$T/$name.log"; fail=$((fail + 1))
  fi
  if grep -q "runtime error\|AddressSanitizer\|LeakSanitizer" "$T/$name.log"; then
    echo "FAIL $name: sanitizer report:"; grep -m5 "runtime error\|Sanitizer" "$T/$name.log"; fail=$((fail + 1))
  fi
done < "$T/list"
echo "$n scenarios, $fail failures"
exit $((fail > 0))
