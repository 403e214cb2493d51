#!/bin/sh
# `clustersim run FILE --trace out.json` (models/og_trace.h) on a Figure 7 point (EP16, `--set
# sweep.gpus=[16]` pins the sweep): the file is Chrome trace JSON that ends the array and object, with
# one async begin/end pair per message (as many as the run's `messages` metric), process names "host H"
# and thread names "gpu G ..."; a scenario of several runs writes one file per run; a trace path that
# cannot be written fails the run with the path named and leaves no rows behind. (Slice times against
# the executor's: tests/models/test_og_trace.c.)
CS=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
"$CS" run "$SRC/scenarios/paper/fig7.yaml" --set sweep.gpus=[16] --set tokens=256 --db "$T/a.sqlite" -q \
  --trace "$T/fig7.json" > "$T/a.log" 2>&1 || { echo "FAIL: run with --trace:"; cat "$T/a.log"; fail=1; }
[ -s "$T/fig7.json" ] || { echo "FAIL: no trace written"; fail=1; }
[ ! -e "$T/fig7.json.tmp" ] || { echo "FAIL: temporary trace left behind"; fail=1; }
msgs=$(sqlite3 "$T/a.sqlite" "SELECT CAST(value AS INTEGER) FROM metrics WHERE name = 'messages'")
nb=$(grep -o '"ph":"b"' "$T/fig7.json" | wc -l)
ne=$(grep -o '"ph":"e"' "$T/fig7.json" | wc -l)
[ "$nb" = "$msgs" ] && [ "$ne" = "$msgs" ] && [ "$msgs" -gt 0 ] \
  || { echo "FAIL: $nb begin / $ne end events for $msgs messages"; fail=1; }
grep -q '"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"host 1"}' "$T/fig7.json" \
  || { echo "FAIL: no process name for host 1"; fail=1; }
grep -q '"args":{"name":"gpu 7 messages"}' "$T/fig7.json" || { echo "FAIL: no thread name for gpu 7"; fail=1; }
tail -c 4 "$T/fig7.json" | grep -q ']}' || { echo "FAIL: trace not closed"; fail=1; }
# several runs: one file each
"$CS" run "$SRC/scenarios/paper/fig7.yaml" --set sweep.gpus=[16,32] --set tokens=64 --db "$T/b.sqlite" -q \
  --trace "$T/many.json" > "$T/b.log" 2>&1 || { echo "FAIL: sweep with --trace:"; cat "$T/b.log"; fail=1; }
[ -s "$T/many.p0.r0.json" ] && [ -s "$T/many.p1.r0.json" ] || { echo "FAIL: per-run traces missing:"; ls "$T"; fail=1; }
# unwritable path
if "$CS" run "$SRC/scenarios/paper/fig7.yaml" --set sweep.gpus=[16] --set tokens=64 --db "$T/c.sqlite" -q \
     --trace "$T/no/such/dir/t.json" > "$T/c.log" 2>&1; then
  echo "FAIL: an unwritable trace path succeeded"; fail=1
fi
grep -q "no/such/dir/t.json.tmp: cannot write the trace" "$T/c.log" || { echo "FAIL: message:"; cat "$T/c.log"; fail=1; }
n=$(sqlite3 "$T/c.sqlite" "SELECT count(*) FROM metrics" 2>/dev/null || echo 0)
[ "$n" = 0 ] || { echo "FAIL: the failed run left $n metric rows"; fail=1; }
# --set on the sweep block edits it before the points are made (was: "unknown key 'sweep'")
"$CS" run "$SRC/scenarios/paper/fig7.yaml" --set sweep=null --set gpus=16 --set tokens=64 --db "$T/d.sqlite" -q \
  > "$T/d.log" 2>&1 || { echo "FAIL: --set sweep=null:"; cat "$T/d.log"; fail=1; }
[ "$(sqlite3 "$T/d.sqlite" "SELECT count(*) FROM runs")" = 1 ] || { echo "FAIL: sweep=null did not give one run"; fail=1; }
[ "$(sqlite3 "$T/b.sqlite" "SELECT count(*) FROM runs")" = 2 ] || { echo "FAIL: sweep.gpus=[16,32] did not give two runs"; fail=1; }
exit $fail
