#!/bin/sh
# Bounded resources and the "found when tried as a new user would" cases of issue 17: each bad
# input gets one clear message, exit 2, within a second, under a small address-space limit
# (`ulimit -v`, skipped in sanitizer builds, whose shadow memory needs terabytes of address space).
CS=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0; n=0
VLIM=${CS_VLIMIT_KB:-400000}   # 400 MB of address space: far below what any of these would eat
[ -n "$CS_SANITIZE" ] && VLIM=unlimited

now_ms() { date +%s%3N; }
# expect NAME EXIT PATTERN CMD...: runs CMD under the limit; wants exit EXIT, PATTERN in stderr, < 1 s.
expect() {
  name=$1; want=$2; pat=$3; shift 3
  n=$((n + 1))
  t0=$(now_ms)
  ( ulimit -v "$VLIM" 2>/dev/null; exec timeout 20 "$@" ) > "$T/out" 2> "$T/err"
  rc=$?
  ms=$(( $(now_ms) - t0 ))
  if [ "$rc" != "$want" ]; then echo "FAIL $name: exit $rc, want $want"; cat "$T/err"; fail=$((fail + 1)); return; fi
  if ! grep -q -- "$pat" "$T/err"; then echo "FAIL $name: '$pat' not in:"; cat "$T/err"; fail=$((fail + 1)); return; fi
  lines=$(grep -c . "$T/err")
  if [ "$lines" -gt 2 ]; then echo "FAIL $name: $lines lines of errors, want one message:"; cat "$T/err"; fail=$((fail + 1)); return; fi
  if [ -z "$CS_SANITIZE" ] && [ "$ms" -gt 1000 ]; then echo "FAIL $name: took $ms ms (> 1 s)"; fail=$((fail + 1)); return; fi
  echo "ok   $name (${ms} ms): $(head -c 160 "$T/err" | head -1)"
}
DB="--db $T/r.sqlite"

# ---- Found when tried 1: ft3 k 512 / 768 estimated and refused, naming the estimate and the override
printf 'schema_version: 1\nexperiment: topology\ntopology:\n  family: ft3\n  radix: 512\n' > "$T/k512.yaml"
expect ft3-k512-describe 2 "k512.yaml:5:10: error: topology.radix: 512: .* needs about 4.13 GiB .*limit of 2.00 GiB.*CLUSTERSIM_MAX_GRAPH_BYTES" "$CS" topo describe "$T/k512.yaml"
printf 'schema_version: 1\nexperiment: topology\ntopology: {family: ft3, radix: 768}\n' > "$T/k768.yaml"
expect ft3-k768-describe 2 "topology.radix: 768: .*GiB for its graph" "$CS" topo describe "$T/k768.yaml"
# run: refused at load with the same message and its position (exit 2), no abort and no OOM kill
expect ft3-k768-run 2 "k768.yaml:3:32: error: topology.radix: 768: .*GiB for its graph" "$CS" run "$T/k768.yaml" $DB -q
# The limit is overridable (and applies to small graphs too when set low)
CLUSTERSIM_MAX_GRAPH_BYTES=64K expect graph-limit-override 2 "limit of 64.00 KiB" "$CS" topo describe ft2-k64
# k: 100000 (item 2 of the acceptance): one message, no build
printf 'schema_version: 1\nexperiment: topology\ntopology:\n  family: ft2\n  radix: 100000\n' > "$T/k100k.yaml"
expect ft2-k100000 2 "k100k.yaml:5:10: error: topology.radix: 100000" "$CS" topo describe "$T/k100k.yaml"
printf 'schema_version: 1\nexperiment: topology\ntopology:\n  family: ft2\n  radix: 65534\n' > "$T/k65534.yaml"
expect ft2-k65534 2 "topology.radix: 65534: .*32-bit" "$CS" topo describe "$T/k65534.yaml"

# ---- Found when tried 2: non-regular files and oversize files
expect dev-zero 2 "/dev/zero: error: refused: a character device, not a regular file" "$CS" run /dev/zero $DB
mkfifo "$T/fifo" && expect fifo 2 "a FIFO (named pipe), not a regular file" "$CS" run "$T/fifo" $DB
expect folder 2 "a folder, not a regular file" "$CS" run "$T" $DB
truncate -s 20M "$T/big.yaml" && expect oversize 2 "20971520 bytes, above the limit of 16777216 bytes" "$CS" run "$T/big.yaml" $DB
printf 'schema_version: 1\nexperiment: topology\ninclude: /dev/zero\n' > "$T/incz.yaml"
expect include-dev-zero 2 "incz.yaml:3:10: error: include\[0\]: .*character device" "$CS" run "$T/incz.yaml" $DB
expect describe-dev-zero 2 "refused: a character device" "$CS" topo describe /dev/zero

# ---- Found when tried 3: topo describe on a file without a topology: block names that file
printf 'schema_version: 1\nname: not-a-topology\n' > "$T/plain.yaml"
expect describe-no-topology 2 "plain.yaml: no \`topology:\` block" "$CS" topo describe "$T/plain.yaml"
# a topology preset outside scenarios/topologies/ is read by its path, not looked up by its name
printf 'family: ft2\nradix: 8\n' > "$T/my-own-ft2.yaml"
"$CS" topo describe "$T/my-own-ft2.yaml" > "$T/own.txt" 2>&1 && grep -q "endpoints          32" "$T/own.txt" \
  && echo "ok   describe-preset-by-path" || { echo "FAIL describe-preset-by-path"; cat "$T/own.txt"; fail=$((fail + 1)); }

# ---- Found when tried 4: topology errors carry file:line:column, the user's keys, exit 2
printf 'schema_version: 1\nexperiment: topology\ntopology:\n  family: slimfly\n  radix: 64\n  slimfly: {q: 6}\n' > "$T/sf6.yaml"
expect slimfly-q6 2 "sf6.yaml:6:16: error: topology.slimfly.q: 6: q must be 4w+d" "$CS" topo describe "$T/sf6.yaml"
printf 'schema_version: 1\nexperiment: topology\ntopology:\n  family: slimfly\n  radix: 64\n  slimfly: {q: 10}\n' > "$T/sf10.yaml"
printf 'schema_version: 1\nexperiment: topology\ntopology:\n  family: slimfly\n  radix: 64\n  slimfly:\n    q: 12\n' > "$T/sf12.yaml"
expect slimfly-q12 2 "sf12.yaml:7:8: error: topology.slimfly.q: 12: not a prime power.*slimfly.formula_only" "$CS" topo describe "$T/sf12.yaml"
printf 'schema_version: 1\nexperiment: topology\ntopology:\n  family: dragonfly\n  radix: 64\n  dragonfly: {p: 2, a: 4, h: 2, g: 10}\n' > "$T/df.yaml"
expect dragonfly-g 2 "df.yaml:6:.*: error: topology.dragonfly.g: 10: groups must be in 2 .. a\*h+1 = 9" "$CS" topo describe "$T/df.yaml"
if grep -q "sf_q\|df_g" "$T/err"; then echo "FAIL internal names in messages"; fail=$((fail + 1)); fi
# the same through run (was: each point failed at build time, exit 1, no position): checked at load,
# before the database is touched; a sweep names the point
printf 'schema_version: 1\nexperiment: alltoall\ntopology:\n  family: slimfly\n  radix: 64\n  slimfly: {q: 6}\n' > "$T/rsf.yaml"
expect run-slimfly-q6 2 "rsf.yaml:6:16: error: topology.slimfly.q: 6: q must be 4w+d" "$CS" run "$T/rsf.yaml" --db "$T/rsf.sqlite"
[ ! -e "$T/rsf.sqlite" ] || { echo "FAIL run-slimfly-q6: database written"; fail=$((fail + 1)); }
printf 'schema_version: 1\nexperiment: alltoall\ntopology:\n  family: ft2\n  radix: 8\nsweep:\n  topology.radix: [8, 9]\n' > "$T/rsw.yaml"
expect run-sweep-radix 2 "topology.radix: 9: ports per switch must be an even number" "$CS" run "$T/rsw.yaml" --db "$T/rsw.sqlite"
grep -q "sweep point 1: " "$T/err" || { echo "FAIL run-sweep-radix: point not named"; cat "$T/err"; fail=$((fail + 1)); }

# a workload's own rules (experiment check hooks, e.g. ep's gate) are load-time errors too: position, exit 2
printf 'schema_version: 1\nexperiment: ep\ntopology: {name: c, family: mpft, planes: 8, endpoints: 64, fabric: fabric-ib-ndr, node: node-h800, layout: layout-sc14-400g}\ngpus: 16\nexperts: 100\n' > "$T/epx.yaml"
expect run-ep-experts 2 "epx.yaml:5:10: error: experts: 100 routed experts are not divisible among 16 GPUs; allowed: a multiple of 16" \
  "$CS" run "$T/epx.yaml" --presets "$SRC/scenarios" --db "$T/epx.sqlite"
expect run-ep-top-k 2 "error: experts_per_token: 300; allowed: 1 .. experts" \
  "$CS" run "$T/epx.yaml" --presets "$SRC/scenarios" --set experts=256 --set experts_per_token=300 --db "$T/epx.sqlite"
[ ! -e "$T/epx.sqlite" ] || { echo "FAIL run-ep-experts: database written"; fail=$((fail + 1)); }

# op graphs are sized before they are built (CLUSTERSIM_MAX_OG_BYTES): the EP dispatch of Figure 7's
# EP16 point (256 KiB limit) and a 256 MiB all-to-all (1 MiB) refused with the estimate; the run fails,
# the process does not grow
expect og-limit-ep 1 "ep dispatch: an op graph of [0-9]* ops and [0-9]* edges needs about .*, above the op-graph limit of 256.0 KiB" \
  env CLUSTERSIM_MAX_OG_BYTES=256K "$CS" run "$SRC/scenarios/paper/fig7.yaml" --set sweep.gpus=[16] --db "$T/og.sqlite" -q
expect og-limit-a2a 1 "nccl all-to-all: an op graph of 131072 ops .* above the op-graph limit of 1.00 MiB" \
  env CLUSTERSIM_MAX_OG_BYTES=1M "$CS" run "$SRC/scenarios/paper/fig5.yaml" --set sweep.gpus=[32] --set sweep.bytes=[256MiB] \
  --set sweep.pxn=[true] --set sweep.topology.family=[mpft] --db "$T/og.sqlite" -q

# ---- Found when tried 5: one radix rule, one wording for every family
# (radix 0 means "the fabric's switch_radix"; above 65535 the spec reader refuses it with the same limit)
for r in 2 7 70000; do
  printf 'schema_version: 1\nexperiment: topology\ntopology:\n  family: ft2\n  radix: %s\n' "$r" > "$T/r$r.yaml"
  expect "radix-$r" 2 "r$r.yaml:5:10: error: topology.radix: $r: .*65535" "$CS" topo describe "$T/r$r.yaml"
done
expect radix-wording 2 "topology.radix: 7: ports per switch must be an even number in \[4, 65535\] for ft2" "$CS" topo describe "$T/r7.yaml"

# ---- Found when tried 6: bench engine help and behaviour agree (the default times all three queues)
"$CS" bench engine --help > "$T/h.txt" 2>&1
grep -q "the default, all, times heap2, heap4 and calendar" "$T/h.txt" || { echo "FAIL bench help"; cat "$T/h.txt"; fail=$((fail + 1)); }
"$CS" bench engine --n 100 --events 1000 > "$T/b.txt" 2>&1
for q in heap2 heap4 calendar; do grep -q "^$q " "$T/b.txt" || { echo "FAIL bench default lacks $q"; cat "$T/b.txt"; fail=$((fail + 1)); }; done
echo "ok   bench-engine-help-matches"

# ---- Bounded resources: billion laughs, include cycle, nesting, a billion-point sweep
cat > "$T/laughs.yaml" <<'Y'
schema_version: 1
experiment: topology
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
Y
expect billion-laughs 2 "laughs.yaml:4:8: error: YAML aliases (\*a) are not supported" "$CS" run "$T/laughs.yaml" $DB
expect set-alias 2 "^--set:1:.*aliases" "$CS" run "$T/k512.yaml" $DB --set 'topology.radix=*x'
printf 'include: c2.yaml\n' > "$T/c1.yaml"; printf 'include: [c3.yaml]\n' > "$T/c2.yaml"; printf 'include: c1.yaml\n' > "$T/c3.yaml"
printf 'schema_version: 1\nexperiment: topology\ninclude: c1.yaml\n' > "$T/c0.yaml"
expect include-cycle 2 "c3.yaml:1:10: error: include\[0\]: include cycle: .*c1.yaml -> .*c2.yaml -> .*c3.yaml -> .*c1.yaml (reached from .*c0.yaml)" "$CS" run "$T/c0.yaml" $DB
i=0; while [ $i -lt 20 ]; do printf 'include: d%d.yaml\n' $((i + 1)) > "$T/d$i.yaml"; i=$((i + 1)); done
printf 'schema_version: 1\nexperiment: topology\ninclude: d0.yaml\n' > "$T/dtop.yaml"
expect include-depth 2 "includes nested deeper than 16 files" "$CS" run "$T/dtop.yaml" $DB
python3 -c "print('schema_version: 1\nx: ' + '['*200000 + ']'*200000)" > "$T/deep.yaml" 2>/dev/null \
  && expect nesting-depth 2 "deep.yaml:2:.*nesting deeper than 64 levels" "$CS" run "$T/deep.yaml" $DB
cat > "$T/bill.yaml" <<'Y'
schema_version: 1
experiment: topology
topology: {family: ft2, radix: 8}
sweep:
  topology.endpoints: {from: 1, to: 1000, step: 1}
  topology.spines: {from: 1, to: 1000, step: 1}
  topology.planes: {from: 1, to: 1000, step: 1}
Y
expect billion-point-sweep 2 "bill.yaml:5:3: error: sweep: 1000000000 points (1000 x 1000 x 1000 values per axis), above the limit of 100000 points.*CLUSTERSIM_MAX_SWEEP_POINTS" "$CS" run "$T/bill.yaml" $DB
CLUSTERSIM_MAX_SWEEP_POINTS=10 expect sweep-limit-override 2 "above the limit of 10 points" "$CS" topo describe "$T/bill.yaml"
cat > "$T/sw12.yaml" <<'Y'
schema_version: 1
experiment: topology
topology: {family: ft2, radix: 8}
sweep:
  topology.radix: [4, 6, 8]
  topology.switches_per_cabinet: [1, 2, 3, 4]
Y
CLUSTERSIM_MAX_SWEEP_POINTS=12 "$CS" topo describe "$T/sw12.yaml" > "$T/sw.txt" 2>&1 && [ "$(grep -c '^  endpoints' "$T/sw.txt")" = 12 ] \
  && echo "ok   sweep-at-the-limit-runs" || { echo "FAIL sweep at the limit"; tail -3 "$T/sw.txt"; fail=$((fail + 1)); }
[ -f "$T/r.sqlite" ] && { ic=$(sqlite3 "$T/r.sqlite" 'pragma integrity_check'); [ "$ic" = ok ] || { echo "FAIL integrity $ic"; fail=$((fail + 1)); }; }

echo "limits: $((n - fail)) of $n message checks passed, $fail failed"
[ $fail -eq 0 ]
