#!/bin/sh
# `clustersim diff`: identical runs show no moved metric (exit 0); halving the HBM bandwidth with
# --set moves the roofline-timed points' durations (exit 1, each named with old -> new) and not the
# trace-timed ones; two revisions' runs in one store are told apart by --rev-a/--rev-b; a missing
# store is an error (exit 2). The reproduce summary's table comparison: a changed cell is reported.
CS=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
S=$SRC/tests/data/cli/compute_synth.yaml
fail=0
run() { db=$1; shift; "$CS" run "$S" --set traces_dir="$SRC/tests/data/traces" --db "$T/$db.sqlite" -q "$@" \
  || { echo "FAIL: run $db"; fail=1; }; }
run a; run b; run c --set gpu.compute.hbm_bw=1.675TB/s
"$CS" diff "$T/a.sqlite" "$T/b.sqlite" > "$T/ab.txt"; rc=$?
[ $rc -eq 0 ] && grep -q "clustersim diff: 0 of [1-9][0-9]* metric(s) moved" "$T/ab.txt" \
  || { echo "FAIL: identical runs: rc $rc"; cat "$T/ab.txt"; fail=1; }
"$CS" diff "$T/a.sqlite" "$T/c.sqlite" > "$T/ac.txt"; rc=$?
[ $rc -eq 1 ] || { echo "FAIL: half bandwidth: rc $rc"; cat "$T/ac.txt"; fail=1; }
grep -q "use_trace=false batch=1 context=1024.*duration_us: .* -> .*(+100%)" "$T/ac.txt" \
  || { echo "FAIL: roofline duration not reported as doubled"; cat "$T/ac.txt"; fail=1; }
grep -q "use_trace=true batch=1 context=1024.*duration_us" "$T/ac.txt" \
  && { echo "FAIL: a trace-timed duration reported as moved"; fail=1; }
# A loose enough tolerance hides the change.
"$CS" diff "$T/a.sqlite" "$T/c.sqlite" --tol 2 > /dev/null; rc=$?
[ $rc -eq 0 ] || { echo "FAIL: --tol 2 still reports moves (rc $rc)"; fail=1; }
# Two revisions in one store: relabel c's runs as revision 'zzz' and copy them into a.
sqlite3 "$T/c.sqlite" "update runs set git_rev='zzz'"
rev=$(sqlite3 "$T/a.sqlite" "select git_rev from runs limit 1")
sqlite3 "$T/a.sqlite" "attach '$T/c.sqlite' as c;
  insert into runs(scenario, scenario_sha256, point_label, resolved_yaml, seed, replicate, git_rev, started_at, wall_s, status, error)
    select scenario, scenario_sha256, point_label, resolved_yaml, seed, replicate, git_rev, started_at, wall_s, status, error from c.runs;
  insert into metrics(run, name, value, unit) select r2.id, m.name, m.value, m.unit from c.metrics m
    join c.runs r on r.id = m.run join main.runs r2 on r2.scenario_sha256 = r.scenario_sha256 and r2.git_rev = 'zzz'
    and r2.seed = r.seed and r2.replicate = r.replicate;" || { echo "FAIL: merge"; fail=1; }
"$CS" diff "$T/a.sqlite" --rev-a "$rev" --rev-b zzz > "$T/rev.txt"; rc=$?
[ $rc -eq 1 ] && grep -q "use_trace=false batch=1 context=1024.*duration_us.*(+100%)" "$T/rev.txt" \
  || { echo "FAIL: --rev-a/--rev-b: rc $rc"; cat "$T/rev.txt"; fail=1; }
"$CS" diff "$T/a.sqlite" --rev-a "$rev" --rev-b "$rev" > /dev/null || { echo "FAIL: same revision differs"; fail=1; }
"$CS" diff "$T/a.sqlite" > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || { echo "FAIL: one DB without revisions: rc $rc"; fail=1; }
"$CS" diff "$T/a.sqlite" "$T/missing.sqlite" > /dev/null 2> "$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q missing.sqlite "$T/err" && [ ! -e "$T/missing.sqlite" ] \
  || { echo "FAIL: missing store: rc $rc"; cat "$T/err"; fail=1; }
[ $fail -eq 0 ] && echo "cli_diff: 1 passed, 0 failed" || echo "cli_diff: 0 passed, 1 failed"
exit $fail
