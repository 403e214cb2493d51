#!/bin/sh
# Experiment `collective` (paper Figure 8: RoCE AllGather/ReduceScatter under ECMP, adaptive and
# static routing). Small runs on the fig8 cluster (scenarios/topologies/ft2-roce-h800-512.yaml):
#   1. the mechanism: TP groups of 16 GPUs (one per host, hosts spread over the leaves, all 32 groups
#      at once): ECMP well below static and adaptive, both near the NIC rate;
#   2. remove the cause and the three are equal: groups of 4 hosts packed under one leaf (no hop
#      crosses the spines);
#   3. halving the NIC rate halves busbw (static; 1 GiB so latency is negligible);
#   4. series: one point per size, busbw growing with size where latency counts;
#   5. deterministic: the same scenario twice gives identical metrics; another seed moves ECMP only;
#   6. bad input names the key and the allowed values.
CS=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
cat > "$T/c.yaml" <<'Y'
schema_version: 1
experiment: collective
topology: ft2-roce-h800-512
network: {routing: static, adaptive_paths: 32}
op: allgather
ranks: 16
sizes: [256MiB]
channels: 2
placement: {gpus_per_host: 1, hosts: spread}
Y
run() {
  n=$1; shift
  "$CS" run "$T/c.yaml" --presets "$SRC/scenarios" --db "$T/$n.sqlite" -q --set network.check=true "$@" > "$T/$n.log" 2>&1 \
    || { echo "FAIL: run $n ($*):"; cat "$T/$n.log"; fail=1; }
}
m() { sqlite3 "$T/$1.sqlite" "select value from metrics where name='$2'"; }
ok() { awk -v a="$2" -v b="$3" -v c="$4" "BEGIN { exit !($1) }" || { echo "FAIL: $5 (a=$2 b=$3 c=$4)"; fail=1; }; }

# 1. ordering from the mechanism
run st
run ad --set network.routing=adaptive
run ec --set network.routing=ecmp
line=$(m st line_GBps)
ok 'a == 50' "$line" 0 0 "line_GBps is the NIC's 400 Gb/s"
ok 'a > 0.95 * c && b > 0.95 * c' "$(m st busbw_GBps)" "$(m ad busbw_GBps)" "$line" "static and adaptive near line rate"
ok 'a < 0.6 * b' "$(m ec busbw_GBps)" "$(m st busbw_GBps)" 0 "ECMP well below static"
ok 'a < 0.6 * b' "$(m ec busbw_GBps)" "$(m ad busbw_GBps)" 0 "ECMP well below adaptive"
ok 'a <= b' "$(m ec busbw_min_GBps)" "$(m ec busbw_GBps)" 0 "slowest group <= mean"
ok 'a == 32' "$(m st groups)" 0 0 "512 GPUs / 16 = 32 groups"
for op in reducescatter; do
  run rs_st --set op=$op
  run rs_ec --set op=$op --set network.routing=ecmp
  ok 'a < 0.6 * b' "$(m rs_ec busbw_GBps)" "$(m rs_st busbw_GBps)" 0 "ReduceScatter: ECMP well below static"
done

# 2. the cause removed: 4 hosts under one leaf, nothing crosses the spines: all three equal
for r in static adaptive ecmp; do run pk_$r --set ranks=4 --set placement.hosts=packed --set network.routing=$r; done
ok 'a == b && b == c' "$(m pk_static busbw_GBps)" "$(m pk_adaptive busbw_GBps)" "$(m pk_ecmp busbw_GBps)" "packed: all equal"
ok 'a > 0.95 * b' "$(m pk_ecmp busbw_GBps)" "$line" 0 "packed: ECMP at line rate"

# 3. half the NIC rate, half the busbw
run full --set 'sizes=[1GiB]'
run half --set 'sizes=[1GiB]' --set topology.node.nic.bw=200Gbps
ok 'a / b > 0.495 && a / b < 0.505' "$(m half busbw_GBps)" "$(m full busbw_GBps)" 0 "NIC 200G halves busbw"

# 4. series: one point per size, in order; small sizes pay latency
run ser --set 'sizes=[64KiB, 1MiB, 16MiB, 256MiB]'
n=$(sqlite3 "$T/ser.sqlite" "select count(*) from series where name='busbw_GBps'")
ok 'a == 4' "$n" 0 0 "four busbw_GBps series points"
ok 'a < b && b < c' "$(sqlite3 "$T/ser.sqlite" "select y from series where name='busbw_GBps' and seq=0")" \
   "$(sqlite3 "$T/ser.sqlite" "select y from series where name='busbw_GBps' and seq=2")" \
   "$(sqlite3 "$T/ser.sqlite" "select y from series where name='busbw_GBps' and seq=3")" "busbw grows with size"

# 5. determinism; the seed draws the connection ids ECMP hashes
run ec2 --set network.routing=ecmp
a=$(sqlite3 "$T/ec.sqlite" "select group_concat(name || '=' || value) from metrics order by name")
b=$(sqlite3 "$T/ec2.sqlite" "select group_concat(name || '=' || value) from metrics order by name")
[ "$a" = "$b" ] || { echo "FAIL: ECMP run twice differs: $a vs $b"; fail=1; }
run ec3 --set network.routing=ecmp --set seed=2
ok 'a != b' "$(m ec busbw_GBps)" "$(m ec3 busbw_GBps)" 0 "another seed draws other ECMP connection ids"
run st3 --set seed=2
ok 'a == b' "$(m st busbw_GBps)" "$(m st3 busbw_GBps)" 0 "static does not depend on the seed"

# 6. bad input
bad() {
  "$CS" run "$T/c.yaml" --presets "$SRC/scenarios" --db "$T/bad.sqlite" -q "$@" > "$T/bad.log" 2>&1 \
    && { echo "FAIL: accepted $*"; fail=1; }
  grep -q -- "$BADWANT" "$T/bad.log" || { echo "FAIL: '$BADWANT' not in the error for $*:"; cat "$T/bad.log"; fail=1; }
}
BADWANT="reducescatter" bad --set op=alltoall
BADWANT="spread" bad --set placement.hosts=diagonal
BADWANT="at most 32 fit" bad --set placement.groups=33
BADWANT="multiple of placement.gpus_per_host" bad --set ranks=6 --set placement.gpus_per_host=4
BADWANT="needs 128 hosts" bad --set ranks=128
BADWANT="gpus_per_host" bad --set placement.gpus_per_host=16

[ $fail -eq 0 ] && echo "cli_fig8: 1 passed, 0 failed" || echo "cli_fig8: 0 passed, 1 failed"
exit $fail
