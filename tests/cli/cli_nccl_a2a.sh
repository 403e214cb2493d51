#!/bin/sh
# Experiment `nccl_alltoall` (paper Figures 5 and 6): nccl-tests all-to-all on MRFT vs MPFT.
#   1. PXN on: MRFT and MPFT times within 3% at every size (16 GPUs; and 64 GPUs at two sizes);
#   2. PXN off: the gap opens (MPFT relays at the receiver; MRFT goes over the spines): over 10% at
#      1 MiB on 16 GPUs;
#   3. the columns: busbw = algbw x (n-1)/n, count = S / 4; pair counts by path add up to n(n-1);
#   4. halving the NIC rate (fabric bandwidth) lowers large-size busbw (network-bound part);
#   5. bad input names the key.
CS=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
cat > "$T/a.yaml" <<'Y'
schema_version: 1
experiment: nccl_alltoall
topology: {name: c, family: mpft, planes: 8, endpoints: 64, fabric: fabric-ib-ndr, node: node-h800, layout: layout-sc14-400g}
gpus: 16
bytes: 1MiB
sweep:
  topology.family: [mrft, mpft]
  pxn: [true, false]
  bytes: [4KiB, 64KiB, 1MiB, 64MiB]
Y
sed '/^sweep:/,$d' "$T/a.yaml" > "$T/one.yaml"
"$CS" run "$T/a.yaml" --presets "$SRC/scenarios" --db "$T/a.sqlite" -q > "$T/a.log" 2>&1 || { echo "FAIL: run"; cat "$T/a.log"; exit 1; }
q() { sqlite3 "$T/a.sqlite" "$1"; }
V="(SELECT f.value AS fam, p.value AS pxn, s.value AS b, t.value AS t FROM params f JOIN params p ON p.run = f.run AND p.key = 'pxn' JOIN params s ON s.run = f.run AND s.key = 'bytes' JOIN metrics t ON t.run = f.run AND t.name = 'time_us' WHERE f.key = 'topology.family')"
n=$(q "SELECT count(*) FROM $V a JOIN $V b ON a.b = b.b AND a.pxn = b.pxn WHERE a.fam = 'mrft' AND b.fam = 'mpft' AND a.pxn = 'true' AND abs(a.t - b.t) > 0.03 * a.t")
[ "$n" = 0 ] || { echo "FAIL: PXN on: $n sizes where MRFT and MPFT differ by more than 3%"; q "SELECT * FROM $V"; fail=1; }
n=$(q "SELECT count(*) FROM $V a JOIN $V b ON a.b = b.b AND a.pxn = b.pxn WHERE a.fam = 'mrft' AND b.fam = 'mpft' AND a.pxn = 'false' AND a.b = '1MiB' AND abs(a.t - b.t) > 0.10 * a.t")
[ "$n" = 1 ] || { echo "FAIL: PXN off: no gap over 10% at 1 MiB"; q "SELECT * FROM $V"; fail=1; }
n=$(q "SELECT count(*) FROM runs r JOIN metrics a ON a.run = r.id AND a.name = 'algbw_GBps' JOIN metrics b ON b.run = r.id AND b.name = 'busbw_GBps' JOIN metrics c ON c.run = r.id AND c.name = 'count' JOIN metrics s ON s.run = r.id AND s.name = 'size_B' JOIN metrics d ON d.run = r.id AND d.name = 'pairs_direct' JOIN metrics x ON x.run = r.id AND x.name = 'pairs_pxn' JOIN metrics y ON y.run = r.id AND y.name = 'pairs_relay' WHERE abs(b.value - a.value * 15.0 / 16.0) > 1e-9 * a.value OR c.value * 4 != s.value OR d.value + x.value + y.value != 240")
[ "$n" = 0 ] || { echo "FAIL: nccl-tests columns or pair counts wrong in $n runs"; fail=1; }
# 64 GPUs (8 hosts), two sizes: parity with PXN
for b in 256KiB 16MiB; do
  for f in mrft mpft; do
    "$CS" run "$T/one.yaml" --presets "$SRC/scenarios" --db "$T/g.sqlite" -q --set gpus=64 --set bytes=$b --set topology.family=$f --set pxn=true > "$T/g.log" 2>&1 \
      || { echo "FAIL: run 64 GPUs $f $b"; cat "$T/g.log"; fail=1; }
  done
done
n=$(sqlite3 "$T/g.sqlite" "SELECT count(*) FROM (SELECT s.value AS b, max(t.value) / min(t.value) AS r FROM metrics t JOIN params s ON s.run = t.run AND s.key = 'bytes' WHERE t.name = 'time_us' GROUP BY s.value) WHERE r > 1.03")
[ "$n" = 0 ] || { echo "FAIL: 64 GPUs: MRFT and MPFT differ by more than 3% with PXN"; fail=1; }
# halving the fabric bandwidth halves what crosses the NICs: busbw at 64 MiB drops by over 25%
for bw in 400Gbps 200Gbps; do
  "$CS" run "$T/one.yaml" --presets "$SRC/scenarios" --db "$T/h.sqlite" -q --set bytes=64MiB --set topology.family=mpft --set pxn=true --set topology.fabric.bw=$bw --set topology.node.nic.bw=$bw > "$T/h.log" 2>&1 \
    || { echo "FAIL: run bw $bw"; cat "$T/h.log"; fail=1; }
done
r=$(sqlite3 "$T/h.sqlite" "SELECT max(value) / min(value) FROM metrics WHERE name = 'busbw_GBps'")
awk -v r="$r" 'BEGIN { exit !(r > 1.33) }' || { echo "FAIL: halving the fabric bandwidth: busbw ratio $r (want > 1.33)"; fail=1; }
# bad input
"$CS" run "$T/one.yaml" --presets "$SRC/scenarios" --db "$T/e.sqlite" -q --set window=0 > "$T/e.log" 2>&1 && { echo "FAIL: window 0 accepted"; fail=1; }
grep -q "window" "$T/e.log" || { echo "FAIL: window error does not name the key:"; cat "$T/e.log"; fail=1; }
exit $fail
