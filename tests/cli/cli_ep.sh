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
#      divisible among the GPUs, zero tokens.
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
exit $fail
