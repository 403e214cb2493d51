#!/bin/sh
# run.sh: build the peer hold-model benchmarks and run them next to `clustersim bench engine`.
# usage: docs/peers/run.sh [BUILD_DIR] [CLUSTERSIM_BINARY]   (defaults: /tmp/peers, build-lead/clustersim)
# Needs: apt-get install -y libsimgrid-dev libns3-dev libgsl-dev g++
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-/tmp/peers}
cs=${2:-$here/../../build-lead/clustersim}
mkdir -p "$out"
g++ -std=c++17 -O2 -DNDEBUG -o "$out/simgrid_hold" "$here/simgrid_hold.cpp" -lsimgrid -lgsl -lgslcblas -lm
g++ -std=c++17 -O2 -DNDEBUG -o "$out/ns3_hold" "$here/ns3_hold.cc" -lns3-core -lgsl -lgslcblas -lm

echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$cs" bench engine
for n in 1000 100000 1000000; do "$out/simgrid_hold" timer $n 2>>"$out/simgrid.stderr"; done
for s in map heap calendar; do
  for n in 1000 100000; do "$out/ns3_hold" $s $n; done
done
"$out/ns3_hold" map 1000000
"$out/ns3_hold" heap 1000000
# ns-3's CalendarScheduler degenerates at 1e6 pending (~1e4 events/s; the fill alone takes ~45 s):
# 1e4 warm-up and 2e4 timed events only.
"$out/ns3_hold" calendar 1000000 2e4 1 1e4
# 1e6 actors would need ~18 GB (16 KiB stack + ~1.7 KiB per actor) and several minutes; not run.
for n in 1000 100000; do "$out/simgrid_hold" actor $n 2>>"$out/simgrid.stderr"; done
echo "# end $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
