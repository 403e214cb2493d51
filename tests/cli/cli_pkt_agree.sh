#!/bin/sh
# The packet-level network model (network.model: packet) against the flow model and the paper:
#   1. the 128-GPU all-to-all of 64 KiB per pair (MPFT, 400G IB): completion within 5%;
#   2. a Figure 8 point (RoCE fat-tree, AllGather, 8-GPU groups tiling 512 GPUs, static routing,
#      16 MiB): busbw within 5%;
#   3. Table 5 at packet level: every paper value within 5% (the one-packet timing of the model is
#      the flow model's latency formula plus serialisation: models/net_pkt.c);
#   4. bad packet inputs get an error naming the key and what is allowed.
CS=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
m() { sqlite3 "$T/$1.sqlite" "select value from metrics where name='$2'"; }
ok() { awk -v a="$2" -v b="$3" -v c="$4" "BEGIN { exit !($1) }" || { echo "FAIL: $5 (a=$2 b=$3 c=$4)"; fail=1; }; }
run() {
  n=$1; f=$2; shift 2
  "$CS" run "$f" --presets "$SRC/scenarios" --db "$T/$n.sqlite" -q "$@" > "$T/$n.log" 2>&1 \
    || { echo "FAIL: run $n ($*):"; cat "$T/$n.log"; fail=1; }
}

# 1. all-to-all
A2A="$SRC/scenarios/examples/alltoall-mpft.yaml"
for model in flow packet; do
  run a2a_$model "$A2A" --set topology.endpoints=128 --set gpus=128 --set bytes=64KiB --set network.model=$model
done
ok 'a > 0.95 * b && a < 1.05 * b' "$(m a2a_packet completion_us)" "$(m a2a_flow completion_us)" 0 \
   "128-GPU all-to-all: packet within 5% of flow"

# 2. a Figure 8 point
cat > "$T/c.yaml" <<'Y'
schema_version: 1
experiment: collective
topology: ft2-roce-h800-512
network: {routing: static, adaptive_paths: 32}
op: allgather
ranks: 8
sizes: [16MiB]
channels: 2
placement: {gpus_per_host: 1, hosts: spread}
Y
for model in flow packet; do run f8_$model "$T/c.yaml" --set network.model=$model; done
ok 'a > 0.95 * b && a < 1.05 * b' "$(m f8_packet busbw_GBps)" "$(m f8_flow busbw_GBps)" 0 \
   "Figure 8 point (RoCE, static, 8 ranks, 16 MiB): packet busbw within 5% of flow"

# 3. Table 5 at packet level (paper values: InfiniBand 2.8 / 3.7 us, RoCE 3.6 / 5.6 us, NVLink 3.33 us)
run t5 "$SRC/scenarios/paper/table5.yaml" --set network.model=packet
t5() { sqlite3 "$T/t5.sqlite" "select m.value from metrics m join params p on p.run = m.run and p.key = 'topology' \
  where p.value = '$1' and m.name = '$2'"; }
near() { ok 'a > 0.95 * b && a < 1.05 * b' "$1" "$2" 0 "Table 5 at packet level: $3"; }
near "$(t5 mpft-h800-ib-512 same_leaf_one_way_us)" 2.8 "IB same leaf"
near "$(t5 mpft-h800-ib-512 cross_leaf_one_way_us)" 3.7 "IB cross leaf"
near "$(t5 mpft-h800-roce-1024 same_leaf_one_way_us)" 3.6 "RoCE same leaf"
near "$(t5 mpft-h800-roce-1024 cross_leaf_one_way_us)" 5.6 "RoCE cross leaf"
near "$(t5 mpft-h800-ib-512 same_host_one_way_us)" 3.33 "NVLink"

# 4. bad input
bad() {
  want=$1; shift
  if "$CS" run "$A2A" --presets "$SRC/scenarios" --db "$T/bad.sqlite" -q --set topology.endpoints=16 --set gpus=16 \
       --set bytes=4KiB --set network.model=packet "$@" > "$T/bad.log" 2>&1; then
    echo "FAIL: accepted $*"; fail=1
  elif ! grep -q "$want" "$T/bad.log"; then
    echo "FAIL: error for $* does not name $want:"; cat "$T/bad.log"; fail=1
  fi
  rm -f "$T/bad.sqlite"
}
bad 'network.packet.mtu' --set network.packet.mtu=8KiB --set network.packet.buffer=4KiB
bad 'zero credits' --set network.packet.buffer=0B
bad 'network.packet.pfc_xon' --set topology.fabric=fabric-roce-400g --set network.packet.pfc_xon=200KiB
exit $fail
