#!/bin/sh
# fuzz_smoke.sh FUZZER CORPUS_DIR SECONDS SEED_DIR...: a short libFuzzer run (ctest fuzz_smoke_*).
# New inputs go to CORPUS_DIR (kept between runs, so each run starts where the last one stopped);
# seed folders are read only. A finding (crash, leak, timeout, sanitizer report) fails the test
# and leaves the input as CORPUS_DIR/../findings/<target>-*: add it to tests/fuzz/regress/<target>/
# once fixed. Prints executions and corpus size (the README's Reliability table takes them).
FZ=$1; CORPUS=$2; SECS=$3; shift 3
[ -x "$FZ" ] || { echo "fuzz_smoke: $FZ not built"; exit 1; }
name=$(basename "$FZ")
mkdir -p "$CORPUS" "$CORPUS/../findings"
"$FZ" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$CORPUS/../findings/$name-" "$CORPUS" "$@" > "$CORPUS/../$name.log" 2>&1
rc=$?
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$CORPUS/../$name.log" | grep -o '[0-9]*$')
echo "$name: ${execs:-?} executions in ${SECS} s, corpus $(ls "$CORPUS" | wc -l) inputs, exit $rc"
if [ $rc -ne 0 ]; then tail -60 "$CORPUS/../$name.log"; fi
exit $rc
