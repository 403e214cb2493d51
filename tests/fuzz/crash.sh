#!/bin/sh
# Crash safety of the results store (issue 17): SIGKILL at random moments during `run`, `sweep -j 2`
# (the whole process group, or the parent alone so its workers are orphaned) and `report`; two
# sweeps writing one database at once; a full disk; a read-only database. After each: `pragma
# integrity_check` is ok, no finished run is lost (every 'ok' row seen before a kill is still there,
# unchanged) or duplicated, every 'ok' run has all its metrics and params, and a re-run completes.
# Random delays come from CS_CRASH_SEED (printed; set it to replay a failure), CS_CRASH_KILLS kills
# per series (default 8).
CS=$1; SRC=$2
T=$(mktemp -d)
M=""
cleanup() { [ -n "$M" ] && { mount -o remount,rw "$M" 2>/dev/null; umount "$M" 2>/dev/null; }; rm -rf "$T"; }
trap cleanup EXIT
fail=0; kills=0
SEED=${CS_CRASH_SEED:-$(( $(date +%s) % 100000 ))}
K=${CS_CRASH_KILLS:-8}
echo "crash: seed $SEED (CS_CRASH_SEED=$SEED replays this run), $K kills per series"
x=$SEED
rnd() { x=$(( (x * 1103515245 + 12345) % 2147483648 )); R=$(( (x / 65536) % $1 )); }   # R = 0 .. $1-1
sleep_ms() { sleep "$(awk "BEGIN { printf \"%.3f\", $1 / 1000 }")"; }
q() { sqlite3 -cmd ".timeout 30000" "$1" "$2"; }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

# Tiny points (about 2 ms each) so that most moments of a sweep are inside a run or a commit.
cat > "$T/tiny.yaml" <<'Y'
schema_version: 1
name: crash_tiny
experiment: engine_hold
seed: 5
pending: 100
events: 20000
sweep:
  mean_delay: {from: 1us, to: 150us, step: 1us}
  queue: [heap2, heap4]
Y
HOLD=$SRC/tests/data/cli/hold_sweep.yaml

# check DB WHAT: the invariants after a kill; remembers the 'ok' rows in $T/ok.prev
check() {
  db=$1; what=$2
  [ -f "$db" ] || return 0
  ic=$(q "$db" "pragma integrity_check")
  [ "$ic" = ok ] || bad "$what: integrity_check: $ic"
  dup=$(q "$db" "select count(*) from (select 1 from runs group by scenario_sha256, seed, replicate having count(*) > 1)")
  [ "$dup" = 0 ] || bad "$what: $dup duplicated run identities"
  orph=$(q "$db" "select (select count(*) from metrics where run not in (select id from runs)) + (select count(*) from params where run not in (select id from runs))")
  [ "$orph" = 0 ] || bad "$what: $orph orphan metric/param rows"
  # a finished run is whole: as many metrics and params as the same run in the reference database
  # (REF), or, without one, as every other finished run (the sweeps' points all have the same keys)
  if [ -n "$REF" ]; then
    part=$(q "$db" "attach '$REF' as ref; select count(*) from runs r join ref.runs f using (scenario_sha256, seed, replicate)
      where r.status = 'ok' and ((select count(*) from metrics m where m.run = r.id) != (select count(*) from ref.metrics m where m.run = f.id)
        or (select count(*) from params p where p.run = r.id) != (select count(*) from ref.params p where p.run = f.id))")
    [ "$part" = 0 ] || bad "$what: $part finished runs lack metrics or params of the reference"
  else
    nm=$(q "$db" "select count(distinct c) from (select (select count(*) from metrics m where m.run = r.id) c from runs r where status = 'ok')")
    np=$(q "$db" "select count(distinct c) from (select (select count(*) from params p where p.run = r.id) c from runs r where status = 'ok')")
    [ "${nm:-0}" -le 1 ] && [ "${np:-0}" -le 1 ] || bad "$what: finished runs with differing metric/param counts ($nm, $np kinds)"
  fi
  q "$db" "select id || ' ' || scenario_sha256 || ' ' || replicate || ' ' || started_at from runs where status = 'ok' order by id" > "$T/ok.now"
  if [ -f "$T/ok.prev" ]; then
    lost=$(comm -23 "$T/ok.prev" "$T/ok.now" | wc -l)
    [ "$lost" = 0 ] || { bad "$what: $lost finished runs lost or changed"; comm -23 "$T/ok.prev" "$T/ok.now" | head -3; }
  fi
  mv "$T/ok.now" "$T/ok.prev"
}

# series NAME SCENARIO MAXDELAY_MS ARGS...: K kills of `clustersim ARGS` at random moments, then a
# clean run to the end; counts must be complete and exact.
series() {
  name=$1; scen=$2; maxd=$3; shift 3
  db=$T/$name.sqlite; rm -f "$db" "$db-wal" "$db-shm" "$T/ok.prev"
  i=0
  while [ $i -lt "$K" ]; do
    rnd "$maxd"; d=$R
    setsid "$CS" "$@" "$scen" --db "$db" --no-progress -q > "$T/log" 2>&1 &
    pid=$!
    sleep_ms "$d"
    how=group
    if [ "$name" = sweep-j2 ] && [ $((i % 2)) = 1 ]; then how=parent; kill -KILL "$pid" 2>/dev/null
    else kill -KILL -- -"$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null; fi
    wait "$pid" 2>/dev/null
    # orphaned workers finish their current run, see EOF on their command pipe and exit
    w=0; while kill -0 -- -"$pid" 2>/dev/null && [ $w -lt 100 ]; do sleep 0.1; w=$((w + 1)); done
    kill -0 -- -"$pid" 2>/dev/null && { bad "$name: workers still running 10 s after their parent was killed"; kill -KILL -- -"$pid"; }
    kills=$((kills + 1))
    check "$db" "$name kill $i ($how at ${d} ms)"
    i=$((i + 1))
  done
  "$CS" "$@" "$scen" --db "$db" --no-progress -q > "$T/log" 2>&1 || { bad "$name: the resume failed"; cat "$T/log"; }
  check "$db" "$name final"
  tot=$(q "$db" "select count(*) from runs"); ok=$(q "$db" "select count(*) from runs where status = 'ok'")
  [ "$tot" = "$want" ] && [ "$ok" = "$want" ] || bad "$name: after the resume $ok ok of $tot rows, want $want"
  echo "ok   $name: $K kills (delays 0..$maxd ms), then $ok of $want runs ok, integrity ok"
}
want=40;  series run      "$HOLD"          2500 run
want=40;  series sweep-j2 "$HOLD"          2000 sweep -j 2
want=300; series tiny-j2  "$T/tiny.yaml"   1500 sweep -j 2

# ---- kill during report: outputs are written atomically (absent or whole), the rerun is identical
R=$T/report; DBR=$T/report.sqlite
"$CS" report table3 --db "$T/ref.sqlite" --results "$T/ref" --no-images -q > "$T/log" 2>&1 || { bad "report reference"; cat "$T/log"; }
same() { sed '/^- Database:/d' "$1" > "$T/a.cmp"; sed '/^- Database:/d' "$2" > "$T/b.cmp"; cmp -s "$T/a.cmp" "$T/b.cmp"; }
REF=$T/ref.sqlite; rm -f "$T/ok.prev"; i=0
while [ $i -lt "$K" ]; do
  rnd 300; d=$R
  setsid "$CS" report table3 --db "$DBR" --results "$R" --no-images -q > "$T/log" 2>&1 &
  pid=$!; sleep_ms "$d"; kill -KILL -- -"$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  kills=$((kills + 1))
  check "$DBR" "report kill $i (at ${d} ms)"
  for f in table3.md table3.csv; do
    [ ! -f "$R/tables/$f" ] || same "$R/tables/$f" "$T/ref/tables/$f" || bad "report kill $i: $f is partial or differs"
  done
  i=$((i + 1))
done
"$CS" report table3 --db "$DBR" --results "$R" --no-images -q > "$T/log" 2>&1 || { bad "report rerun"; cat "$T/log"; }
for f in table3.md table3.csv; do same "$R/tables/$f" "$T/ref/tables/$f" || bad "report rerun: $f differs from the reference"; done
REF=""
[ "$(q "$DBR" "select count(*) from runs")" = "$(q "$T/ref.sqlite" "select count(*) from runs")" ] || bad "report: run counts differ"
echo "ok   report: $K kills, outputs whole or absent, rerun identical"

# ---- two sweeps writing one database at once (the same scenario twice, and a second scenario)
db=$T/two.sqlite; rm -f "$T/ok.prev"
"$CS" sweep "$HOLD" -j 2 --db "$db" --no-progress -q > "$T/a.log" 2>&1 & a=$!
"$CS" sweep "$HOLD" -j 2 --db "$db" --no-progress -q > "$T/b.log" 2>&1 & b=$!
"$CS" sweep "$T/tiny.yaml" --db "$db" --no-progress -q > "$T/c.log" 2>&1 & c=$!
wait $a; ra=$?; wait $b; rb=$?; wait $c; rc=$?
[ $ra = 0 ] && [ $rb = 0 ] && [ $rc = 0 ] || { bad "concurrent sweeps exit $ra $rb $rc"; cat "$T/a.log" "$T/b.log" "$T/c.log"; }
check "$db" "concurrent sweeps"
[ "$(q "$db" "select count(*) from runs where status = 'ok'")" = 340 ] && [ "$(q "$db" "select count(*) from runs")" = 340 ] \
  || bad "concurrent sweeps: $(q "$db" "select count(*) from runs") rows, want 340"
echo "ok   concurrent: two sweeps of one scenario and a third scenario into one database: 340 runs, no duplicate"

# ---- disk full: a small tmpfs where we may mount one, else a file-size limit (RLIMIT_FSIZE)
full_check() {
  how=$1; db=$2; shift 2
  rc=0; "$@" > "$T/full.log" 2>&1 || rc=$?
  [ $rc != 0 ] || bad "disk full ($how): exit 0"
  grep -q "full\|file-size limit" "$T/full.log" || { bad "disk full ($how): message"; cat "$T/full.log"; }
  grep -q "runs finished before are kept" "$T/full.log" || bad "disk full ($how): the message does not say finished runs are kept"
  rm -f "$T/ok.prev"; check "$db" "disk full ($how)"
  echo "ok   disk full ($how): exit $rc, '$(grep -o 'database or disk is full\|disk I/O error' "$T/full.log" | head -1)', integrity ok, $(q "$db" "select count(*) from runs where status = 'ok'") whole runs kept"
}
mkdir -p "$T/mnt"
if mount -t tmpfs -o size=192k tmpfs "$T/mnt" 2>/dev/null; then
  M=$T/mnt
  full_check tmpfs "$M/r.sqlite" "$CS" sweep "$T/tiny.yaml" -j 2 --db "$M/r.sqlite" --no-progress
  # the finished runs resume on a bigger disk: copy the database there
  cp "$M/r.sqlite" "$T/moved.sqlite"; [ -f "$M/r.sqlite-wal" ] && cp "$M/r.sqlite-wal" "$T/moved.sqlite-wal"
  "$CS" sweep "$T/tiny.yaml" -j 2 --db "$T/moved.sqlite" --no-progress -q > "$T/log" 2>&1 || { bad "resume after disk full"; cat "$T/log"; }
  [ "$(q "$T/moved.sqlite" "select count(*) from runs where status = 'ok'")" = 300 ] || bad "resume after disk full: incomplete"
  # ---- read-only database (a read-only file system: root ignores file modes)
  rm -f "$M"/*; mount -o remount,size=8m "$M"
  "$CS" sweep "$HOLD" --db "$M/ro.sqlite" --no-progress -q >/dev/null 2>&1
  q "$M/ro.sqlite" "pragma wal_checkpoint(TRUNCATE)" >/dev/null
  mount -o remount,ro "$M" && RO="read-only file system"
else
  echo "note: cannot mount a tmpfs here (not root or no CAP_SYS_ADMIN): disk full simulated with a file-size limit"
fi
full_check "ulimit -f 160" "$T/fsize.sqlite" sh -c "ulimit -f 160; exec \"\$0\" sweep \"\$1\" -j 2 --db \"\$2\" --no-progress" "$CS" "$T/tiny.yaml" "$T/fsize.sqlite"
if [ -z "$RO" ]; then
  if [ "$(id -u)" != 0 ]; then
    "$CS" sweep "$HOLD" --db "$T/ro.sqlite" --no-progress -q >/dev/null 2>&1
    q "$T/ro.sqlite" "pragma wal_checkpoint(TRUNCATE)" >/dev/null
    chmod a-w "$T/ro.sqlite"; RO="file mode"; ROD=$T/ro.sqlite
  fi
else
  ROD=$M/ro.sqlite
fi
if [ -n "$RO" ]; then
  sum0=$(cksum < "$ROD")
  rc=0; "$CS" sweep "$HOLD" --db "$ROD" --no-progress --force > "$T/ro.log" 2>&1 || rc=$?
  [ $rc != 0 ] || bad "read-only ($RO): exit 0"
  grep -q "read-only" "$T/ro.log" || { bad "read-only ($RO): message"; cat "$T/ro.log"; }
  [ "$(cksum < "$ROD")" = "$sum0" ] || bad "read-only ($RO): the file changed"
  [ "$(q "$ROD" "pragma integrity_check" 2>/dev/null)" = ok ] || [ "$RO" != "file mode" ] || bad "read-only: integrity"
  echo "ok   read-only database ($RO): exit $rc, '$(grep -o 'read-only: [a-z -]*' "$T/ro.log" | head -1)', file unchanged"
else
  echo "note: no read-only case (root without mount: file modes do not bind root)"
fi

echo "crash: $kills kills survived; $fail failures (seed $SEED)"
[ $fail -eq 0 ]
