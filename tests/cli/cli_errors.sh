#!/bin/sh
# Bad input gets one clear message with file:line:column, the key path and what is allowed,
# exit status 2, and nothing is written to the database.
CS=$1; SRC=$2; BIN=$3
D=$SRC/tests/data/cli
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
expect() {  # expect NAME FILE REGEX...
  name=$1; file=$2; shift 2
  "$CS" run "$file" --db "$T/db.sqlite" >"$T/out" 2>"$T/err"; rc=$?
  if [ $rc -ne 2 ]; then echo "FAIL $name: exit $rc, expected 2"; fail=1; fi
  for re in "$@"; do
    if ! grep -Eq -- "$re" "$T/err"; then echo "FAIL $name: stderr lacks /$re/:"; cat "$T/err"; fail=1; fi
  done
  [ $(wc -l < "$T/err") -le 2 ] || { echo "FAIL $name: more than one message:"; cat "$T/err"; fail=1; }
  echo "ok   $name: $(head -n1 "$T/err")"
}
expect misspelt_key   "$D/bad_key.yaml"        'bad_key\.yaml:4:1' 'evnets' 'events'
expect wrong_unit     "$D/bad_unit.yaml"       'bad_unit\.yaml:4:13' 'mean_delay' 'us'
expect negative_time  "$D/bad_negative.yaml"   'bad_negative\.yaml:3:13' 'mean_delay'
expect missing_file   "$T/nope.yaml"           'nope\.yaml'
expect unknown_exp    "$D/bad_experiment.yaml" 'bad_experiment\.yaml:2:13' 'warp_drive' 'llm'
expect missing_preset "$D/bad_preset.yaml"     'bad_preset\.yaml:3:8' 'deepseek-v9'
# --set errors name the override.
"$CS" run "$D/hold_small.yaml" --db "$T/db.sqlite" --set pendng=3 >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q -- '--set' "$T/err" && grep -q pending "$T/err" || { echo "FAIL set_unknown: rc $rc"; cat "$T/err"; fail=1; }
echo "ok   set_unknown: $(head -n1 "$T/err")"
# Nothing was written by the failed runs: the database has no run rows (or does not exist).
if [ -f "$T/db.sqlite" ]; then
  n=$(sqlite3 "$T/db.sqlite" "select count(*) from runs")
  [ "$n" = 0 ] || { echo "FAIL: $n runs written by failing commands"; fail=1; }
fi
# A good run after the failures still works and keeps earlier rows.
"$CS" run "$D/hold_small.yaml" --db "$T/db.sqlite" -q || { echo "FAIL good run"; fail=1; }
"$CS" run "$D/bad_key.yaml" --db "$T/db.sqlite" 2>/dev/null
n=$(sqlite3 "$T/db.sqlite" "select count(*) from runs where status='ok'")
[ "$n" = 2 ] || { echo "FAIL: expected 2 ok runs kept, got $n"; fail=1; }
[ $fail -eq 0 ] && echo "cli_errors: 1 passed, 0 failed" || echo "cli_errors: 0 passed, 1 failed"
exit $fail
