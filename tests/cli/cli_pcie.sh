#!/bin/sh
# Experiment pcie_contention (paper section 4.5): KV-cache loads host memory -> GPU against EP
# all-to-all on the GPU's PCIe link. Checks, each on a small run (8 H800 hosts, 40 rounds):
#   1. without KV the EP latency is the no-contention value (p50 = max = ep_lat_alone_us);
#   2. KV that oversubscribes the PCIe switch -> GPU link raises EP p99 and lowers EP throughput;
#   3. with kv_priority ep_first, EP is back at the no-KV value and KV gets the residual (> 0, less
#      than without priority);
#   4. remove the cause and the contention is gone: a PCIe link wide enough for both, or KV loaded
#      only into GPUs other than the receivers measured (other GPUs at the no-contention value);
#   5. deterministic: the same scenario twice gives identical metrics;
#   6. bad input names the key and the allowed values.
CS=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
cat > "$T/p.yaml" <<'Y'
schema_version: 1
experiment: pcie_contention
topology: {family: mpft, radix: 64, planes: 8, endpoints: 64, node: node-h800, fabric: fabric-ib-ndr}
ep: {peers: 4, bytes: 1MiB, period: 100us, rounds: 40, warmup_rounds: 5}
kv: {load: 0GB/s, bytes: 16MiB, weight: 4}
Y
# run NAME --set ...: one run into $T/NAME.sqlite
run() {
  n=$1; shift
  "$CS" run "$T/p.yaml" --presets "$SRC/scenarios" --db "$T/$n.sqlite" -q --set network.check=true "$@" > "$T/$n.log" 2>&1 \
    || { echo "FAIL: run $n ($*):"; cat "$T/$n.log"; fail=1; }
}
m() { sqlite3 "$T/$1.sqlite" "select value from metrics where name='$2'"; }
# ok 'awk condition on a, b, c' a b c 'what'
ok() { awk -v a="$2" -v b="$3" -v c="$4" "BEGIN { exit !($1) }" || { echo "FAIL: $5 (a=$2 b=$3 c=$4)"; fail=1; }; }

run none0
run none40 --set kv.load=40GB/s
run first40 --set kv.load=40GB/s --set kv_priority=ep_first
run wide40 --set kv.load=40GB/s --set topology.node.pcie.bw=200GB/s
run part40 --set kv.load=40GB/s --set kv.gpus_per_host=2
run none40b --set kv.load=40GB/s

alone=$(m none0 ep_lat_alone_us)
# 1. No KV: every message at the no-contention latency (4 x 1 MiB share one 50 GB/s NIC port: 83.9 us
#    with zero fixed latencies; within 0.5% so that cable lengths of the layout may differ).
ok 'a > 0 && b > 0.995 * a && b < 1.005 * a' "$alone" "$(m none0 ep_lat_p50_us)" "" "no KV: p50 is the no-contention value"
ok 'b > 0.995 * a && b < 1.005 * a' "$alone" "$(m none0 ep_lat_max_us)" "" "no KV: max is the no-contention value"
ok 'a == 0' "$(m none0 kv_tput_GBps)" "" "" "no KV: no KV bytes"
# 2. KV at 40 GB/s per GPU (two GPUs per PCIe switch: 80 GB/s on a 63 GB/s uplink) without priority.
ok 'b > 1.3 * a' "$alone" "$(m none40 ep_lat_p99_us)" "" "KV 40 GB/s: EP p99 not raised"
ok 'b < 0.9 * a' "$(m none0 ep_tput_GBps)" "$(m none40 ep_tput_GBps)" "" "KV 40 GB/s: EP throughput not lowered"
# 3. EP first: EP at the no-KV value, KV takes what is left (some, less than without priority).
ok 'b > 0.995 * a && b < 1.005 * a' "$alone" "$(m first40 ep_lat_p99_us)" "" "ep_first: EP p99 not back at the no-KV value"
ok 'b > 0.999 * a && b < 1.001 * a' "$(m none0 ep_tput_GBps)" "$(m first40 ep_tput_GBps)" "" "ep_first: EP throughput not the no-KV value"
ok 'a > 1 && a < b' "$(m first40 kv_tput_GBps)" "$(m none40 kv_tput_GBps)" "" "ep_first: KV not the residual (0 < ep_first < none)"
# 4. Remove the cause. A 200 GB/s PCIe link (uplink too): room for 50 GB/s EP and the KV load.
ok 'b > 0.995 * a && b < 1.005 * a' "$alone" "$(m wide40 ep_lat_p99_us)" "" "wide PCIe: EP p99 still raised"
ok 'b > 39' "" "$(m wide40 kv_tput_GBps)" "" "wide PCIe: KV not carried at its offered 40 GB/s"
#    KV into local GPUs 0 and 1 only (PCIe switch 0): the other GPUs' EP traffic is untouched.
ok 'b > 0.995 * a && b < 1.005 * a' "$alone" "$(m part40 ep_lat_other_gpus_p99_us)" "" "KV elsewhere: EP p99 at other GPUs raised"
ok 'b > 1.3 * a' "$alone" "$(m part40 ep_lat_kv_gpus_p99_us)" "" "KV elsewhere: EP p99 at loading GPUs not raised"
# 5. Determinism.
d1=$(sqlite3 "$T/none40.sqlite" "select name, value from metrics order by name")
d2=$(sqlite3 "$T/none40b.sqlite" "select name, value from metrics order by name")
[ -n "$d1" ] && [ "$d1" = "$d2" ] || { echo "FAIL: two runs of one scenario differ:"; echo "$d1"; echo "$d2"; fail=1; }
# 6. Bad input.
"$CS" run "$T/p.yaml" --presets "$SRC/scenarios" --db "$T/bad.sqlite" -q --set kv_priority=tc7 > "$T/bad.txt" 2>&1 \
  && { echo "FAIL: kv_priority=tc7 accepted"; fail=1; }
grep -q "kv_priority.*none, ep_first" "$T/bad.txt" || { echo "FAIL: bad kv_priority message:"; cat "$T/bad.txt"; fail=1; }
#    Workload rules are checked at load time (the experiment's check hook): exit 2, the key's position,
#    nothing run.
"$CS" run "$T/p.yaml" --presets "$SRC/scenarios" --db "$T/bad.sqlite" -q --set ep.peers=8 > "$T/peers.txt" 2>&1
rc=$?
[ $rc -eq 2 ] || { echo "FAIL: ep.peers=8 on 8 hosts: exit $rc, want 2"; fail=1; }
grep -q "^--set:1:10: error: ep.peers: 8: at most hosts - 1 = 7" "$T/peers.txt" || { echo "FAIL: bad ep.peers message:"; cat "$T/peers.txt"; fail=1; }
"$CS" run "$T/p.yaml" --presets "$SRC/scenarios" --db "$T/bad.sqlite" -q --set kv.gpus_per_host=9 > "$T/kvg.txt" 2>&1
rc=$?
[ $rc -eq 2 ] || { echo "FAIL: kv.gpus_per_host=9: exit $rc, want 2"; fail=1; }
grep -q "error: kv.gpus_per_host: 9: at most node.gpus = 8" "$T/kvg.txt" || { echo "FAIL: bad kv.gpus_per_host message:"; cat "$T/kvg.txt"; fail=1; }
[ "$(sqlite3 "$T/bad.sqlite" "select count(*) from runs" 2>/dev/null || echo 0)" = 0 ] \
  || { echo "FAIL: a refused scenario left runs behind"; fail=1; }

[ $fail -eq 0 ] && echo "cli_pcie: 1 passed, 0 failed" || echo "cli_pcie: 0 passed, 1 failed"
exit $fail
