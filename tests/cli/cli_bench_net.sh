#!/bin/sh
# `clustersim bench net`: a table row per size, the platform export (magic lines, one route per
# ordered pair, routes that match the arcs listed), the model's response to the message size, and
# bad options. Timings are printed, never asserted.
CS=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
"$CS" bench net --gpus 16,32 --export "$T/x" > "$T/b.txt" 2>&1 || { echo "FAIL: bench net"; cat "$T/b.txt"; fail=1; }
grep -qE '^\| +16 \| +240 \|' "$T/b.txt" || { echo "FAIL: no 16-GPU row (240 messages)"; cat "$T/b.txt"; fail=1; }
grep -qE '^\| +32 \| +992 \|' "$T/b.txt" || { echo "FAIL: no 32-GPU row (992 messages)"; cat "$T/b.txt"; fail=1; }
head -1 "$T/x/16/routes.tsv" | grep -q "^#clustersim-a2a-routes	1	endpoints=16	routes=240" \
  || { echo "FAIL: routes.tsv magic"; head -2 "$T/x/16/routes.tsv"; fail=1; }
head -1 "$T/x/16/links.tsv" | grep -q "^#clustersim-a2a-links	1	" || { echo "FAIL: links.tsv magic"; fail=1; }
n=$(grep -vc '^#' "$T/x/16/routes.tsv")
[ "$n" = 240 ] || { echo "FAIL: $n routes for 16 GPUs, expected 240"; fail=1; }
# every arc a route uses is listed in links.tsv with a positive bandwidth
awk 'FNR == NR { if ($1 !~ /^#/) bw[$1] = $2; next } $1 !~ /^#/ { for (i = 4; i <= NF; i++) if (!(bw[$i] > 0)) bad++ }
     END { exit bad > 0 }' "$T/x/16/links.tsv" "$T/x/16/routes.tsv" || { echo "FAIL: a route uses an unlisted arc"; fail=1; }
# twice the bytes: the bandwidth part doubles, the fixed latency does not: a ratio just under 2
"$CS" bench net --gpus 16 --bytes 2MiB > "$T/b2.txt" 2>&1 || { echo "FAIL: bench net --bytes"; cat "$T/b2.txt"; fail=1; }
t1=$(grep -E '^\| +16 \|' "$T/b.txt" | awk -F'|' '{print $4}')
t2=$(grep -E '^\| +16 \|' "$T/b2.txt" | awk -F'|' '{print $4}')
awk -v a="$t1" -v b="$t2" 'BEGIN { r = b / a; exit !(r > 1.9 && r < 2.0) }' \
  || { echo "FAIL: 2 MiB / 1 MiB completion = $t2 / $t1, expected just under 2"; fail=1; }
"$CS" bench net --gpus 1 > "$T/e.txt" 2>&1 && { echo "FAIL: --gpus 1 accepted"; fail=1; }
grep -q "allowed: 2 .. 1000000" "$T/e.txt" || { echo "FAIL: --gpus 1 message"; cat "$T/e.txt"; fail=1; }
"$CS" bench net --routing spray > "$T/r.txt" 2>&1 && { echo "FAIL: --routing spray accepted"; fail=1; }
grep -q "network.routing" "$T/r.txt" || { echo "FAIL: --routing message"; cat "$T/r.txt"; fail=1; }
exit $fail
