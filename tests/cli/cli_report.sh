#!/bin/sh
# `clustersim report table1|table2` writes the tables with paper value, simulated value and
# deviation; the KV-cache figure is written as PNG and SVG where gnuplot exists.
CS=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
for t in table1 table2; do
  "$CS" report $t --db "$T/db.sqlite" --results "$T/results" > "$T/out" 2>&1 || { echo "FAIL report $t"; cat "$T/out"; fail=1; }
  for f in "$T/results/tables/$t.md" "$T/results/tables/$t.csv"; do
    [ -s "$f" ] || { echo "FAIL: $f missing"; fail=1; }
  done
  grep -qi paper "$T/results/tables/$t.md" || { echo "FAIL: $t.md has no paper column"; fail=1; }
  grep -q OUTSIDE "$T/results/tables/$t.md" && { echo "FAIL: $t.md has rows outside tolerance"; cat "$T/results/tables/$t.md"; fail=1; }
done
grep -q '70\.272' "$T/results/tables/table1.md" || { echo "FAIL: table1.md lacks 70.272"; fail=1; }
# Running the report again re-uses the runs (no new rows).
n1=$(sqlite3 "$T/db.sqlite" "select count(*) from runs")
"$CS" report table1 --db "$T/db.sqlite" --results "$T/results" >/dev/null 2>&1
n2=$(sqlite3 "$T/db.sqlite" "select count(*) from runs")
[ "$n1" = "$n2" ] || { echo "FAIL: report re-ran finished points ($n1 -> $n2 runs)"; fail=1; }
"$CS" report kv_cache_context --db "$T/db.sqlite" --results "$T/results" > "$T/out" 2>&1 || { echo "FAIL report kv_cache_context"; cat "$T/out"; fail=1; }
F=$T/results/figures/kv_cache_vs_context
[ -s "$F/data.tsv" ] || { echo "FAIL: figure data missing"; fail=1; }
if command -v gnuplot >/dev/null 2>&1; then
  [ -s "$F/kv_cache_vs_context.png" ] && [ -s "$F/kv_cache_vs_context.svg" ] || { echo "FAIL: figure images missing"; ls "$F"; fail=1; }
fi
# An unknown report name is a clear error.
"$CS" report table99 --db "$T/db.sqlite" --results "$T/results" 2> "$T/err" && fail=1
grep -q table99 "$T/err" || { echo "FAIL: unknown report message"; fail=1; }
[ $fail -eq 0 ] && echo "cli_report: 1 passed, 0 failed" || echo "cli_report: 0 passed, 1 failed"
exit $fail
