#!/bin/sh
# compute_op: the duration's source is recorded (trace_exact / trace_interp / roofline), and the
# roofline responds to its inputs (half the HBM bandwidth: twice the memory-bound time).
CS=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
S=$SRC/tests/data/cli/compute_synth.yaml
fail=0
"$CS" run "$S" --set traces_dir="$SRC/tests/data/traces" --db "$T/a.sqlite" -q || { echo "FAIL: run"; exit 1; }
src() { sqlite3 "$1" "select (select value from params where run=r.id and key='derived.source') from runs r where r.point_label='$2'"; }
dur() { sqlite3 "$1" "select m.value from runs r join metrics m on m.run=r.id and m.name='duration_us' where r.point_label='$2'"; }
[ "$(src "$T/a.sqlite" 'use_trace=true batch=1 context=1024')" = trace_exact ] || { echo "FAIL: exact"; fail=1; }
[ "$(src "$T/a.sqlite" 'use_trace=true batch=8 context=4096')" = trace_interp ] || { echo "FAIL: interp"; fail=1; }
[ "$(src "$T/a.sqlite" 'use_trace=false batch=8 context=4096')" = roofline ] || { echo "FAIL: roofline"; fail=1; }
# The interpolated value lies between its measured neighbours (context 2048 and 8192 at batch 1).
awk -v v="$(dur "$T/a.sqlite" 'use_trace=true batch=1 context=4096')" 'BEGIN { exit !(v > 16.8179283 && v < 47.5682846) }' \
  || { echo "FAIL: interpolation outside its neighbours"; fail=1; }
"$CS" run "$S" --set traces_dir="$SRC/tests/data/traces" --set gpu.compute.hbm_bw=1.675TB/s --db "$T/b.sqlite" -q
a=$(dur "$T/a.sqlite" 'use_trace=false batch=1 context=1024'); b=$(dur "$T/b.sqlite" 'use_trace=false batch=1 context=1024')
awk -v a="$a" -v b="$b" 'BEGIN { exit !(b > 1.999 * a && b < 2.001 * a) }' || { echo "FAIL: half bandwidth gave $b vs $a"; fail=1; }
# The measured trace does not depend on the preset's bandwidth.
[ "$(dur "$T/a.sqlite" 'use_trace=true batch=1 context=1024')" = "$(dur "$T/b.sqlite" 'use_trace=true batch=1 context=1024')" ] \
  || { echo "FAIL: trace row moved with the roofline inputs"; fail=1; }
[ $fail -eq 0 ] && echo "cli_compute: 1 passed, 0 failed" || echo "cli_compute: 0 passed, 1 failed"
exit $fail
