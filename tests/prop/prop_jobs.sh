#!/bin/sh
# Property: a sweep gives bit-identical metrics with -j 1 and -j 2 (issue 17). The sweep is drawn
# from a seed ($CS_PROP_SEED, else the clock; printed): random radices, message sizes and routing
# policies of an all-to-all on small fat-trees, plus engine_hold points with two replicates.
CS=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
SEED=${CS_PROP_SEED:-$(( $(date +%s) % 1000000 ))}
echo "prop_jobs: seed $SEED (CS_PROP_SEED=$SEED replays it)"
x=$SEED
rnd() { x=$(( (x * 1103515245 + 12345) % 2147483648 )); R=$(( (x / 65536) % $1 )); }
pick() { rnd $#; shift $R; echo "$1"; }
r1=$(pick 4 6 8); r2=$(pick 8 10 12); b1=$(pick 4KiB 64KiB 1MiB); b2=$(pick 256KiB 2MiB 3MB)
ro=$(pick static ecmp adaptive); rnd 1000; hs=$R
cat > "$T/a2a.yaml" <<Y
schema_version: 1
name: prop_a2a
experiment: alltoall
seed: $SEED
topology: {family: ft2, radix: 8, fabric: fabric-ib-ndr}
network: {routing: $ro}
sweep:
  topology.radix: [$r1, $r2]
  bytes: [$b1, $b2]
Y
cat > "$T/hold.yaml" <<Y
schema_version: 1
name: prop_hold
experiment: engine_hold
seed: $hs
replicates: 2
pending: 200
events: 50000
sweep:
  mean_delay: [1us, 3us, 7us]
  queue: [heap2, heap4, calendar]
Y
echo "prop_jobs: a2a radix [$r1, $r2] bytes [$b1, $b2] routing $ro; hold seed $hs"
fail=0
for j in 1 2; do
  for s in a2a hold; do
    "$CS" sweep "$T/$s.yaml" -j $j --db "$T/j$j.sqlite" --no-progress -q > "$T/log" 2>&1 || { echo "FAIL sweep $s -j $j"; cat "$T/log"; fail=1; }
  done
  sqlite3 "$T/j$j.sqlite" "select r.scenario_sha256, r.replicate, m.name, printf('%!.17g', m.value) from runs r join metrics m on m.run = r.id where r.status = 'ok' order by 1, 2, 3" > "$T/m$j.txt"
done
n=$(wc -l < "$T/m1.txt")
[ "$n" -gt 20 ] || { echo "FAIL: only $n metric rows"; fail=1; }
cmp -s "$T/m1.txt" "$T/m2.txt" || { echo "FAIL: metrics differ between -j 1 and -j 2 (seed $SEED):"; diff "$T/m1.txt" "$T/m2.txt" | head; fail=1; }
# engine_hold: the three queue kinds give the same events and final clock for one (delay, seed, replicate)
sqlite3 "$T/j1.sqlite" "select p.value, r.replicate, m.name, printf('%!.17g', m.value) from runs r join params p on p.run = r.id and p.key = 'mean_delay' join metrics m on m.run = r.id where r.scenario = 'prop_hold' and m.name not like '%per_s%' and m.name not like '%wall%' order by 1, 2, 3" | sort -u > "$T/q.txt"
dups=$(cut -d'|' -f1-3 "$T/q.txt" | sort | uniq -d | wc -l)
[ "$dups" = 0 ] || { echo "FAIL: engine_hold metrics differ between queue kinds:"; cut -d'|' -f1-3 "$T/q.txt" | sort | uniq -d | head; fail=1; }
echo "prop_jobs: $n metric values identical with -j 1 and -j 2; hold metrics identical across queue kinds"
exit $fail
