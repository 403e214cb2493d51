#!/bin/sh
# Experiment `chakra` (Chakra execution-trace import, models/chakra/ck.h; issue 16 item 2):
#   1. the generator is deterministic: chakra_gen writes the checked-in traces of tests/data/chakra/
#      (a2a64, ring8, coll8) byte for byte;
#   2. scenarios/examples/chakra-a2a.yaml runs the 64-rank trace into SQLite: 64 ranks, 192 nodes,
#      4032 messages of 1 MiB / 64, completion above the longest compute chain (130 + 50 us);
#      100G NICs instead of 400G make it slower; retime: true re-times the 64 fwd nodes (retimed_nodes 64,
#      a different completion); the same run twice gives the same metrics; ring8 and coll8 run too;
#   3. bad input, exit 2 with the key and the file named: no files, a truncated file, an unknown
#      attribute (node id named), retime without a gpu preset; a cross-rank mismatch (a receive
#      from a rank the trace lacks) fails the run naming the file and node.
CS=$1; SRC=$2; BIN=$3
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
GEN="$BIN/chakra_gen"
for w in a2a64 ring8 coll8; do
  mkdir -p "$T/$w"
  "$GEN" "$w" "$T/$w" || { echo "FAIL: chakra_gen $w"; fail=1; }
  n=$(ls "$SRC/tests/data/chakra/$w" | wc -l)
  [ "$n" = "$(ls "$T/$w" | wc -l)" ] || { echo "FAIL: $w: $n checked-in files, $(ls "$T/$w" | wc -l) generated"; fail=1; }
  for f in "$SRC/tests/data/chakra/$w"/*.et; do
    cmp -s "$f" "$T/$w/$(basename "$f")" || { echo "FAIL: $f differs from what chakra_gen writes now"; fail=1; }
  done
done
m() { sqlite3 "$T/$1.sqlite" "SELECT value FROM metrics WHERE name = '$2'"; }
run() {
  n=$1; shift
  "$CS" run "$SRC/scenarios/examples/chakra-a2a.yaml" --db "$T/$n.sqlite" -q "$@" > "$T/$n.log" 2>&1 \
    || { echo "FAIL: run $n ($*):"; cat "$T/$n.log"; fail=1; }
}
run base
[ "$(m base ranks)" = "64.0" ] || { echo "FAIL: ranks $(m base ranks), want 64"; fail=1; }
[ "$(m base nodes)" = "192.0" ] || { echo "FAIL: nodes $(m base nodes), want 192"; fail=1; }
[ "$(m base messages)" = "4032.0" ] || { echo "FAIL: messages $(m base messages), want 4032"; fail=1; }
[ "$(m base bytes)" = "66060288.0" ] || { echo "FAIL: bytes $(m base bytes), want 4032 x 16384"; fail=1; }
awk -v t="$(m base completion_us)" 'BEGIN { exit !(t > 180 && t < 260) }' \
  || { echo "FAIL: completion $(m base completion_us) us, want 130 + a2a + 50 (180 .. 260)"; fail=1; }
run again
[ "$(m base completion_us)" = "$(m again completion_us)" ] || { echo "FAIL: not deterministic"; fail=1; }
run slow --set topology.node.nic.bw=100Gbps
awk -v a="$(m base completion_us)" -v b="$(m slow completion_us)" 'BEGIN { exit !(b > a + 20) }' \
  || { echo "FAIL: 100G NICs: $(m slow completion_us) us, 400G: $(m base completion_us) us"; fail=1; }
run retime --set retime=true
[ "$(m retime retimed_nodes)" = "64.0" ] || { echo "FAIL: retimed $(m retime retimed_nodes), want 64"; fail=1; }
[ "$(m retime completion_us)" != "$(m base completion_us)" ] || { echo "FAIL: retime changed nothing"; fail=1; }
run ring8 --set trace=../../tests/data/chakra/ring8/ring8 --set topology.endpoints=8
[ "$(m ring8 messages)" = "8.0" ] || { echo "FAIL: ring8 messages $(m ring8 messages), want 8"; fail=1; }
run coll8 --set trace=../../tests/data/chakra/coll8/coll8 --set topology.endpoints=8
[ "$(m coll8 messages)" = "224.0" ] || { echo "FAIL: coll8 messages $(m coll8 messages), want 224"; fail=1; }

bad() {   # name, expected exit code, expected text, args
  n=$1; want=$2; txt=$3; shift 3
  "$CS" run "$SRC/scenarios/examples/chakra-a2a.yaml" --db "$T/bad.sqlite" -q "$@" > "$T/$n.log" 2>&1
  rc=$?
  [ "$rc" = "$want" ] || { echo "FAIL: $n: exit $rc, want $want"; cat "$T/$n.log"; fail=1; }
  grep -q -- "$txt" "$T/$n.log" || { echo "FAIL: $n: no '$txt' in:"; cat "$T/$n.log"; fail=1; }
}
bad nofile 2 "trace: no file $T/none.0.et" --set trace="$T/none"
head -c 100 "$SRC/tests/data/chakra/a2a64/a2a64.0.et" > "$T/cut.0.et"
bad cut 2 "trace: $T/cut.0.et: truncated" --set trace="$T/cut"
# an attribute name changed in place (same length): comm_size -> comm_sizf in rank 0's node 2
sed 's/comm_size/comm_sizf/' "$SRC/tests/data/chakra/a2a64/a2a64.0.et" > "$T/attr.0.et"
bad attr 2 "node 2: unknown attribute 'comm_sizf'" --set trace="$T/attr"
grep -v '^gpu:' "$SRC/scenarios/examples/chakra-a2a.yaml" | sed "s|^trace: .*|trace: $SRC/tests/data/chakra/a2a64/a2a64|" > "$T/nogpu.yaml"
"$CS" run "$T/nogpu.yaml" --db "$T/bad.sqlite" -q --set retime=true > "$T/nogpu.log" 2>&1
[ $? = 2 ] && grep -q "retime: true needs a gpu" "$T/nogpu.log" || { echo "FAIL: retime without gpu:"; cat "$T/nogpu.log"; fail=1; }
cp "$SRC/tests/data/chakra/ring8/ring8.0.et" "$T/two.0.et"; cp "$SRC/tests/data/chakra/ring8/ring8.1.et" "$T/two.1.et"
bad mismatch 1 "two.0.et: node 3: COMM_RECV_NODE comm_src rank 7, out of range" --set trace="$T/two"
exit $fail
