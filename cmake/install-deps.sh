#!/bin/sh
# Installs the Debian 12 packages clustersim needs, if any is missing.
# As root it runs apt-get; otherwise it prints the exact command and stops.
# libjansson-dev: Chrome trace JSON (run --trace)
# clang + libclang-rt-14-dev: libFuzzer for tests/fuzz (fuzz_smoke_* in ctest, make fuzz)
# libprotobuf-c-dev + protobuf-c-compiler: Chakra execution-trace import (models/chakra, experiment chakra)
PKGS="build-essential cmake pkg-config libgsl-dev libyaml-dev libsqlite3-dev sqlite3 libcmocka-dev libjansson-dev gnuplot-nox clang libclang-rt-14-dev libprotobuf-c-dev protobuf-c-compiler"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "clustersim: missing Debian packages:$missing" >&2
  echo "clustersim: run as root:  apt-get update && apt-get install -y$missing" >&2
  exit 1
fi
echo "clustersim: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends $missing || { apt-get update && apt-get install -y --no-install-recommends $missing; }
