#!/bin/sh
# A sweep killed with SIGKILL halfway and started again finishes the rest, with no duplicate rows.
CS=$1; SRC=$2
S=$SRC/tests/data/cli/hold_sweep.yaml
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
DB=$T/sweep.sqlite
fail=0
for jobs in 1 2; do
  rm -f "$DB" "$DB-wal" "$DB-shm"
  setsid "$CS" sweep "$S" -j $jobs --db "$DB" --no-progress -q > "$T/log" 2>&1 &
  pid=$!
  # Wait until about half of the 40 points are done (up to 60 s).
  i=0; n=0
  while [ $i -lt 600 ]; do
    n=$(sqlite3 "$DB" "select count(*) from runs where status='ok'" 2>/dev/null || echo 0)
    [ "${n:-0}" -ge 20 ] && break
    sleep 0.1; i=$((i+1))
  done
  kill -KILL -- -$pid 2>/dev/null || kill -KILL $pid
  wait $pid 2>/dev/null
  before=$(sqlite3 "$DB" "select count(*) from runs where status='ok'")
  if [ "$before" -ge 40 ] || [ "$before" -lt 1 ]; then echo "FAIL j=$jobs: kill came at $before of 40 points"; fail=1; fi
  "$CS" sweep "$S" -j $jobs --db "$DB" --no-progress > "$T/log2" 2>&1 || { echo "FAIL j=$jobs: rerun failed"; cat "$T/log2"; fail=1; }
  total=$(sqlite3 "$DB" "select count(*) from runs")
  ok=$(sqlite3 "$DB" "select count(*) from runs where status='ok'")
  distinct=$(sqlite3 "$DB" "select count(distinct scenario_sha256 || ':' || seed || ':' || replicate) from runs")
  metrics=$(sqlite3 "$DB" "select count(*) from metrics")
  dupm=$(sqlite3 "$DB" "select count(*) from (select run, name from metrics group by run, name having count(*) > 1)")
  orphans=$(sqlite3 "$DB" "select count(*) from metrics where run not in (select id from runs)")
  params=$(sqlite3 "$DB" "select count(*) from (select run, key from params group by run, key having count(*) > 1)")
  echo "j=$jobs: killed after $before ok points; after rerun total=$total ok=$ok distinct=$distinct metrics=$metrics"
  [ "$total" = 40 ] && [ "$ok" = 40 ] && [ "$distinct" = 40 ] || { echo "FAIL j=$jobs: rows"; fail=1; }
  [ "$metrics" = 120 ] && [ "$dupm" = 0 ] && [ "$orphans" = 0 ] && [ "$params" = 0 ] || { echo "FAIL j=$jobs: metric/param rows"; fail=1; }
  # The rerun skipped what was finished before the kill.
  grep -Eq "skipped|skip" "$T/log2" || { echo "FAIL j=$jobs: no skip count in the summary:"; cat "$T/log2"; fail=1; }
done
[ $fail -eq 0 ] && echo "cli_sigkill_resume: 1 passed, 0 failed" || echo "cli_sigkill_resume: 0 passed, 1 failed"
exit $fail
