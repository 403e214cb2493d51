#!/bin/sh
# Experiment `decode` (paper section 2.3.2, models/wl_decode.h): the idealised TPOT bound from the event
# timeline.
#   1. scenarios/paper/tpot.yaml (400G IB, 50 GB/s effective per NIC, compute zero): TPOT within 1% of the
#      paper's 14.76 ms; EP messages per layer = 64 GPUs x 63 destinations x 2 phases x 2 micro-batches =
#      16128, bytes per GPU per layer (hand) = 2 x 32 x 9 x 7000 x 3 = 12096000;
#   2. halving the NIC and fabric bandwidth doubles it, 6 + 2 experts per token scales it by 8/9,
#      60 layers by 60/61, 64 tokens per GPU doubles it (each within 1%);
#   3. no overlap (the same micro-batches, one after the other) is slower than the overlap;
#   4. scenarios/paper/tpot_nvl72.yaml (900 GB/s across 72 GPUs, compute equal to communication): TPOT
#      within 1% of 0.82 ms, over 1100 tokens/s per user (paper: "approximately 1200");
#   5. scenarios/paper/tpot_vs_nic.yaml cut to 4 layers at 100/200/1600 Gb/s: on 8-GPU hosts halving the NIC
#      rate doubles the bound (within 2%), at 1600 Gb/s PCIe (63 GB/s) binds, not the NIC (TPOT above
#      the 1/rate line by > 2x); the NVL72 bound is the same at every NIC rate;
#   6. bad input: tokens_per_gpu 0 (loader, exit 2), an EP size that does not divide the experts (the
#      check hook at load time: exit 2, file:line:col, the message names redundant_experts, no runs).
CS=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
m() { sqlite3 "$T/$1.sqlite" "SELECT value FROM metrics WHERE name = '$2'"; }
run() {
  n=$1; f=$2; shift 2
  "$CS" run "$SRC/scenarios/paper/$f.yaml" --presets "$SRC/scenarios" --db "$T/$n.sqlite" -q "$@" > "$T/$n.log" 2>&1 \
    || { echo "FAIL: run $n ($*):"; cat "$T/$n.log"; fail=1; }
}
near() {   # near NAME VALUE WANT TOL
  awk -v v="$2" -v w="$3" -v t="$4" 'BEGIN { d = v / w - 1; if (d < 0) d = -d; exit !(d < t) }' \
    || { echo "FAIL: $1 = $2, want $3 within $4"; fail=1; }
}
run ib tpot
b=$(m ib tpot_ms)
near "IB TPOT (ms)" "$b" 14.76 0.01
[ "$(m ib ep_messages_per_layer)" = "16128.0" ] || { echo "FAIL: messages per layer $(m ib ep_messages_per_layer)"; fail=1; }
[ "$(m ib ep_bytes_per_gpu_per_layer_hand)" = "12096000.0" ] || { echo "FAIL: hand bytes $(m ib ep_bytes_per_gpu_per_layer_hand)"; fail=1; }
near "bytes per layer / hand x 64" "$(m ib ep_bytes_per_layer)" 774144000 1e-9
run half tpot --set topology.fabric.bw=25GB/s --set topology.node.nic.bw=25GB/s
near "half bandwidth" "$(m half tpot_ms)" "$(awk -v b="$b" 'BEGIN{print 2*b}')" 0.01
run e62 tpot --set experts_per_token=6 --set shared_experts=2
near "6+2 experts" "$(m e62 tpot_ms)" "$(awk -v b="$b" 'BEGIN{print b*8/9}')" 0.01
run l60 tpot --set layers=60
near "60 layers" "$(m l60 tpot_ms)" "$(awk -v b="$b" 'BEGIN{print b*60/61}')" 0.01
run t64 tpot --set tokens_per_gpu=64
near "64 tokens" "$(m t64 tpot_ms)" "$(awk -v b="$b" 'BEGIN{print 2*b}')" 0.01
run noov tpot --set overlap=false --set layers=4
run ov4 tpot --set layers=4
awk -v a="$(m ov4 tpot_ms)" -v b="$(m noov tpot_ms)" 'BEGIN { exit !(b >= a * 0.999) }' \
  || { echo "FAIL: no overlap $(m noov tpot_ms) faster than overlap $(m ov4 tpot_ms)"; fail=1; }
run nvl tpot_nvl72
near "NVL72 TPOT (ms)" "$(m nvl tpot_ms)" 0.82 0.01
awk -v v="$(m nvl tokens_per_s_per_user)" 'BEGIN { exit !(v > 1100) }' || { echo "FAIL: NVL72 tokens/s per user"; fail=1; }
"$CS" run "$SRC/scenarios/paper/tpot.yaml" --presets "$SRC/scenarios" --db "$T/bad.sqlite" -q --set tokens_per_gpu=0 \
  > "$T/bad.log" 2>&1
rc=$?
[ $rc = 2 ] || { echo "FAIL: tokens_per_gpu=0 exit $rc, want 2"; cat "$T/bad.log"; fail=1; }
grep -q "tokens_per_gpu" "$T/bad.log" || { echo "FAIL: tokens_per_gpu message:"; cat "$T/bad.log"; fail=1; }
"$CS" run "$SRC/scenarios/paper/tpot.yaml" --presets "$SRC/scenarios" --db "$T/bad2.sqlite" -q --set experts=100 \
  --set routing=gate > "$T/bad2.log" 2>&1
rc=$?
[ $rc = 2 ] || { echo "FAIL: experts=100 on 64 GPUs: exit $rc, want 2 (refused at load time)"; fail=1; }
grep -q "^scenarios/paper/tpot.yaml:[0-9]*:[0-9]*: error: gpus: .*redundant_experts\|tpot.yaml:[0-9]*:[0-9]*: error: gpus: .*redundant_experts" "$T/bad2.log" \
  || { echo "FAIL: divisibility message (file:line:col, key gpus, names redundant_experts):"; cat "$T/bad2.log"; fail=1; }
[ "$(sqlite3 "$T/bad2.sqlite" "select count(*) from runs" 2>/dev/null || echo 0)" = 0 ] \
  || { echo "FAIL: a refused decode scenario left runs behind"; fail=1; }
"$CS" run "$SRC/scenarios/paper/tpot_vs_nic.yaml" --presets "$SRC/scenarios" --db "$T/nic.sqlite" -q --set layers=4 \
  --set "sweep.topology.node.nic.bw=[100Gbps, 200Gbps, 1600Gbps]" > "$T/nic.log" 2>&1 || { echo "FAIL: tpot_vs_nic:"; cat "$T/nic.log"; fail=1; }
t() { sqlite3 "$T/nic.sqlite" "SELECT m.value FROM metrics m JOIN runs r ON r.id = m.run WHERE m.name = 'tpot_ms' AND r.point_label = 'topology=$1 topology.node.nic.bw=$2'"; }
near "8-GPU hosts: TPOT at 100G / 200G" "$(awk -v a="$(t tpot-8gpu-ib 100Gbps)" -v b="$(t tpot-8gpu-ib 200Gbps)" 'BEGIN { print a / b }')" 2 0.02
awk -v a="$(t tpot-8gpu-ib 200Gbps)" -v b="$(t tpot-8gpu-ib 1600Gbps)" 'BEGIN { exit !(b > 2 * a / 8) }' \
  || { echo "FAIL: 1600G not PCIe-bound: $(t tpot-8gpu-ib 200Gbps) $(t tpot-8gpu-ib 1600Gbps)"; fail=1; }
[ -n "$(t tpot-nvl72 100Gbps)" ] && [ "$(t tpot-nvl72 100Gbps)" = "$(t tpot-nvl72 1600Gbps)" ] \
  || { echo "FAIL: NVL72 moved with the NIC: $(t tpot-nvl72 100Gbps) $(t tpot-nvl72 1600Gbps)"; fail=1; }
exit $fail
