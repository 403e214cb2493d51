#!/bin/sh
# compare.sh: clustersim's flow-level all-to-all (`clustersim bench net`) against SimGrid 3.32 on the
# exact same platform (docs/simgrid-comparison.md). For each GPU count N:
#   1. clustersim bench net --gpus N --bytes BYTES --export DIR/gN   (its figures + links.tsv/routes.tsv)
#   2. a2a_simgrid DIR/gN BYTES --latency=MODE                        (bounded by TIMEOUT seconds)
# then prints one Markdown table, clustersim and SimGrid side by side.
#
# usage: tools/simgrid/compare.sh [-g "128 512 1024"] [-b BYTES] [-t TIMEOUT_S] [-m "post"] [-o DIR] [-k]
#   -g  GPU counts (default "128 512 1024")
#   -b  bytes per pair, an integer (default 1048576 = 1 MiB, bench net's default)
#   -t  wall-clock bound per SimGrid run, seconds (default 1800); a run past it is reported as such
#   -m  SimGrid latency treatments, any of post link none (default "post"; a2a_simgrid.cpp says what
#       each means; link is much slower: every flow has its own latency event)
#   -o  work directory for exports and logs (default: a fresh mktemp -d; kept with -k or -o)
#   -k  keep the exports (about 70 MB of routes at 1024 GPUs)
# env: CLUSTERSIM  the clustersim binary (default: build/clustersim under the repository root)
#      MAKE        make program (default make)
# Exit status: 0 done (a timed-out SimGrid run is a table entry, not a failure); 77 SimGrid is not
# installed (nothing compared); 1 clustersim failed or lacks `bench net --export`; 2 usage.
# Runs one heavy job at a time (clustersim, then SimGrid): safe on a shared 2-core machine.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
gpus="128 512 1024"
bytes=1048576
tmo=1800
modes=post
work=
keep=0
while getopts g:b:t:m:o:kh opt; do
  case $opt in
    g) gpus=$OPTARG ;;
    b) bytes=$OPTARG ;;
    t) tmo=$OPTARG ;;
    m) modes=$OPTARG ;;
    o) work=$OPTARG; keep=1 ;;
    k) keep=1 ;;
    *) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
case $bytes in ''|*[!0-9]*) echo "compare.sh: -b $bytes: give a plain integer of bytes" >&2; exit 2 ;; esac
for m in $modes; do
  case $m in post|link|none) ;; *) echo "compare.sh: -m $m: allowed post link none" >&2; exit 2 ;; esac
done

cs=${CLUSTERSIM:-$root/build/clustersim}
if [ ! -x "$cs" ]; then
  echo "compare.sh: clustersim not found at $cs (build it, or set CLUSTERSIM=path)" >&2
  exit 1
fi
if ! "$cs" bench net --help 2>/dev/null | grep -q -- '--export'; then
  echo "compare.sh: $cs has no 'bench net --export DIR' (needs a clustersim with the platform export)" >&2
  exit 1
fi

# SimGrid is optional: announce and skip when absent (STYLE 11).
if [ -z "$work" ]; then work=$(mktemp -d "${TMPDIR:-/tmp}/simgrid-compare.XXXXXX"); fi
mkdir -p "$work"
sgbin=$work/bin
${MAKE:-make} -s -C "$here" OUT="$sgbin" >"$work/make.log" 2>&1 || { cat "$work/make.log" >&2; exit 1; }
if [ ! -x "$sgbin/a2a_simgrid" ]; then
  cat "$work/make.log"
  echo "compare.sh: SimGrid not available: comparison skipped"
  [ "$keep" = 1 ] || rm -rf "$work"
  exit 77
fi
sgver=$(pkg-config --modversion simgrid 2>/dev/null || echo "?")

# key=value from a2a_simgrid's one output line
kv() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
# a/b - 1 in percent, or "-" when either side is missing; "= (print resolution)" when |a - b| is
# within half a unit of b's last printed digit (bench net prints simulated ms with 3 decimals).
reldiff() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a == "" || b == "" || b + 0 == 0) { print "-"; exit }
    dec = 0; if (index(b, ".")) dec = length(b) - index(b, ".")
    half = 0.5 / (10 ^ dec); d = a - b; if (d < 0) d = -d
    if (d <= half) printf "= (within %g ms, the print resolution)", half
    else printf "%+.4f%%", (a / b - 1) * 100 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.0fx", a / b }'; }

rows=$work/rows.md
: >"$rows"
for n in $gpus; do
  dir=$work/g$n
  echo "compare.sh: clustersim, $n GPUs ..." >&2
  if ! "$cs" bench net --gpus "$n" --bytes "${bytes}B" --export "$dir" >"$work/cs$n.log" 2>&1; then
    cat "$work/cs$n.log" >&2
    echo "compare.sh: clustersim bench net failed for $n GPUs" >&2
    exit 1
  fi
  # | GPUs | messages | simulated ms | wall s | messages/s | solves | model MB | RSS MB |
  row=$(grep -E "^\| +$n +\|" "$work/cs$n.log" | tail -1)
  cs_ms=$(printf '%s' "$row" | awk -F'|' '{gsub(/ /, "", $4); print $4}')
  cs_wall=$(printf '%s' "$row" | awk -F'|' '{gsub(/ /, "", $5); print $5}')
  cs_fps=$(printf '%s' "$row" | awk -F'|' '{gsub(/ /, "", $6); print $6}')
  cs_rss=$(printf '%s' "$row" | awk -F'|' '{gsub(/ /, "", $9); print $9}')
  if [ ! -f "$dir/routes.tsv" ] && [ -f "$dir/$n/routes.tsv" ]; then dir=$dir/$n; fi
  if [ ! -f "$dir/routes.tsv" ]; then echo "compare.sh: no routes.tsv under $work/g$n" >&2; exit 1; fi
  for m in $modes; do
    echo "compare.sh: SimGrid ($m), $n GPUs, at most $tmo s ..." >&2
    set +e
    timeout "$tmo" "$sgbin/a2a_simgrid" "$dir" "$bytes" --latency="$m" >"$work/sg$n.$m.out" 2>"$work/sg$n.$m.err"
    rc=$?
    set -e
    line=$(grep '^simgrid ' "$work/sg$n.$m.out" || true)
    if [ -n "$line" ]; then
      sg_ms=$(awk -v s="$(kv sim_s "$line")" 'BEGIN { printf "%.6f", s * 1e3 }')
      sg_wall=$(kv wall_s "$line")
      sg_fps=$(kv flows_per_s "$line")
      sg_rss=$(awk -v k="$(kv peak_rss_kB "$line")" 'BEGIN { printf "%.1f", k / 1024 }')
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$m" "$cs_ms" "$sg_ms" \
        "$(reldiff "$sg_ms" "$cs_ms")" "$cs_wall" "$sg_wall" "$(ratio "$sg_wall" "$cs_wall")" "$cs_fps" "$sg_fps" \
        "$cs_rss" "$sg_rss" >>"$rows"
    else
      why="failed (exit $rc, see $work/sg$n.$m.err)"
      [ "$rc" = 124 ] && why="did not finish in $tmo s"
      printf '| %s | %s | %s | %s | - | %s | %s | - | %s | - | %s | - |\n' "$n" "$m" "$cs_ms" "$why" "$cs_wall" \
        ">$tmo" "$cs_fps" "$cs_rss" >>"$rows"
    fi
  done
  [ "$keep" = 1 ] || rm -f "$dir/routes.tsv" "$dir/links.tsv"
done

echo
echo "All-to-all, $bytes B per pair: clustersim $(git -C "$root" describe --always --dirty 2>/dev/null || echo "?") vs SimGrid $sgver" \
  "(CM02 max-min; latency treatment per row). $(uname -sm), $(nproc) CPUs."
echo
echo "| GPUs | SimGrid latency | clustersim sim ms | SimGrid sim ms | SimGrid vs clustersim | clustersim wall s | SimGrid wall s | wall ratio | clustersim flows/s | SimGrid flows/s | clustersim RSS MB | SimGrid RSS MB |"
echo "|-----:|:----|----:|----:|----:|----:|----:|----:|----:|----:|----:|----:|"
cat "$rows"
if [ "$keep" = 1 ]; then echo; echo "(exports and logs kept in $work)"; else rm -rf "$work"; fi
exit 0
