#!/bin/sh
# Experiment `ep` (paper Figure 7 and node-limited routing, section 4.3): DeepEP-style dispatch and
# combine on MPFT.
#   1. hand count: every token to all 16 experts of EP16 (2 nodes): it crosses IB once (dedup at
#      the node), so IB bytes per token = one token's bytes = 7168 + 56 x 4 = 7392 exactly; doubling
#      the hidden size doubles them;
#   2. node limit: EP64 (8 nodes, 8 groups), top-8: with the limit of 4 a token reaches at most 4
#      nodes, fewer IB bytes than without the limit, and at most 4 t; limit 1: at most 1 t;
#   3. EP32 normal dispatch runs over 40 GB/s per GPU of RDMA with 400G NICs; halving the NIC rate
#      halves it (within 10%);
#   4. bad input names the key: experts_per_token > experts, node_limit > groups, experts not
#      divisible among the GPUs, zero tokens;
#   5. a routing file (EP16, 16 experts, top-2, 2 tokens per GPU): every token to experts 8 and 9 (node
#      1): node 0's 16 tokens cross IB once each, node 1's stay: IB bytes per token 16 x 7392 / 32 =
#      3696; the per-expert counts (series expert_tokens) are 32, 32 and 0; the routing itself is stored
#      (64 rows); a file with 31 lines, an expert id out of range, or three ids on a line is refused
#      naming the file, line and what is allowed.
CS=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
cat > "$T/e.yaml" <<'Y'
schema_version: 1
experiment: ep
topology: {name: c, family: mpft, planes: 8, endpoints: 64, fabric: fabric-ib-ndr, node: node-h800, layout: layout-sc14-400g}
gpus: 16
tokens: 64
Y
m() { sqlite3 "$T/$1.sqlite" "SELECT value FROM metrics WHERE name = '$2'"; }
run() {
  n=$1; shift
  "$CS" run "$T/e.yaml" --presets "$SRC/scenarios" --db "$T/$n.sqlite" -q "$@" > "$T/$n.log" 2>&1 \
    || { echo "FAIL: run $n ($*):"; cat "$T/$n.log"; fail=1; }
}
run all --set experts=16 --set experts_per_token=16 --set groups=2 --set node_limit=0
[ "$(m all ib_bytes_per_token)" = "7392.0" ] || { echo "FAIL: IB bytes per token $(m all ib_bytes_per_token), want 7392"; fail=1; }
run all2 --set experts=16 --set experts_per_token=16 --set groups=2 --set node_limit=0 --set hidden=14336
[ "$(m all2 ib_bytes_per_token)" = "14784.0" ] || { echo "FAIL: doubled hidden: $(m all2 ib_bytes_per_token), want 14784"; fail=1; }
run nl0 --set gpus=64 --set node_limit=0
run nl4 --set gpus=64 --set node_limit=4
run nl1 --set gpus=64 --set node_limit=1
awk -v a="$(m nl0 ib_bytes_per_token)" -v b="$(m nl4 ib_bytes_per_token)" -v c="$(m nl1 ib_bytes_per_token)" \
    -v n4="$(m nl4 nodes_per_token)" -v t="$(m nl4 token_bytes)" \
    'BEGIN { exit !(b < a && b <= 4 * t && c <= t && n4 <= 4 && a > 4 * t) }' \
  || { echo "FAIL: node limit: none $(m nl0 ib_bytes_per_token), 4: $(m nl4 ib_bytes_per_token), 1: $(m nl1 ib_bytes_per_token)"; fail=1; }
run bw --set gpus=32 --set tokens=4096
run bwh --set gpus=32 --set tokens=4096 --set topology.node.nic.bw=200Gbps --set topology.fabric.bw=200Gbps
awk -v a="$(m bw dispatch_rdma_GBps)" -v b="$(m bwh dispatch_rdma_GBps)" 'BEGIN { r = a / b; exit !(a > 40 && r > 1.8 && r < 2.2) }' \
  || { echo "FAIL: RDMA GB/s $(m bw dispatch_rdma_GBps) at 400G, $(m bwh dispatch_rdma_GBps) at 200G (want > 40 and half)"; fail=1; }
bad() {
  want=$1; shift
  "$CS" run "$T/e.yaml" --presets "$SRC/scenarios" --db "$T/bad.sqlite" -q "$@" > "$T/bad.log" 2>&1 && { echo "FAIL: accepted: $*"; fail=1; }
  grep -q "$want" "$T/bad.log" || { echo "FAIL: $* : message does not name $want:"; cat "$T/bad.log"; fail=1; }
}
bad experts_per_token --set experts_per_token=300
bad node_limit --set node_limit=9
bad experts --set experts=100
bad tokens --set tokens=0
i=0; : > "$T/r.txt"; echo "# routing: every token to experts 8 and 9" >> "$T/r.txt"
while [ $i -lt 32 ]; do echo "8 9" >> "$T/r.txt"; i=$((i + 1)); done
rt="--set experts=16 --set experts_per_token=2 --set groups=2 --set node_limit=0 --set tokens=2 --set routing_file=$T/r.txt"
run rf $rt
[ "$(m rf ib_bytes_per_token)" = "3696.0" ] || { echo "FAIL: routing file: IB bytes per token $(m rf ib_bytes_per_token), want 3696"; fail=1; }
et=$(sqlite3 "$T/rf.sqlite" "SELECT group_concat(CAST(y AS INTEGER), ',') FROM (SELECT y FROM series WHERE name = 'expert_tokens' ORDER BY x)")
[ "$et" = "0,0,0,0,0,0,0,0,32,32,0,0,0,0,0,0" ] || { echo "FAIL: expert_tokens series '$et'"; fail=1; }
[ "$(sqlite3 "$T/rf.sqlite" "SELECT count(*) FROM series WHERE name = 'routing'")" = 64 ] || { echo "FAIL: routing rows"; fail=1; }
sqlite3 "$T/rf.sqlite" "SELECT value FROM params WHERE key = 'derived.routing_sha256'" | grep -Eq '^[0-9a-f]{64}$' \
  || { echo "FAIL: no routing sha256"; fail=1; }
head -n 32 "$T/r.txt" > "$T/r31.txt"
bad "r31.txt: 31 token lines; allowed: exactly ranks x tokens = 16 x 2 = 32" $rt --set routing_file=$T/r31.txt
sed '5s/.*/8 99/' "$T/r.txt" > "$T/rx.txt"
bad "rx.txt:5:3: expert id 99 out of range; allowed: 0 .. 15" $rt --set routing_file=$T/rx.txt
sed '7s/.*/8 9 10/' "$T/r.txt" > "$T/r3.txt"
bad "r3.txt:7:5: more than experts_per_token = 2" $rt --set routing_file=$T/r3.txt
bad "nope.txt: cannot open the routing file" $rt --set routing_file=$T/nope.txt
exit $fail
