#!/bin/sh
# `clustersim topo describe`: presets by name and path, scenarios with sweeps, formula_only, and
# bad input (errors name the key and what is allowed; nothing is written).
CS=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
check() { grep -q -- "$2" "$1" || { echo "FAIL: '$2' not in the output of $3:"; cat "$1"; fail=1; }; }

"$CS" topo describe ft2-k64 --cost cost-ndr400-64port > "$T/ft2.txt" 2>&1 || { echo "FAIL: describe ft2-k64"; cat "$T/ft2.txt"; fail=1; }
check "$T/ft2.txt" "endpoints          2,048" ft2
check "$T/ft2.txt" "switches           96 (64 ports each" ft2
check "$T/ft2.txt" "2,048 switch-switch" ft2
check "$T/ft2.txt" "radix respected, 1 component" ft2
check "$T/ft2.txt" "diameter           2 switch hops" ft2
check "$T/ft2.txt" "path diversity     32.00" ft2
check "$T/ft2.txt" "cost " ft2

# A preset given by path; a change of input moves the counts (k = 32: 512 endpoints, 48 switches).
"$CS" topo describe "$SRC/scenarios/topologies/ft2-k64.yaml" > "$T/p.txt" 2>&1 || { echo "FAIL: by path"; cat "$T/p.txt"; fail=1; }
check "$T/p.txt" "endpoints          2,048" path
cat > "$T/s.yaml" <<'Y'
schema_version: 1
experiment: topology
topology: ft2-k64
sweep:
  topology.radix: [16, 32]
Y
"$CS" topo describe "$T/s.yaml" --presets "$SRC/scenarios" > "$T/s.txt" 2>&1 || { echo "FAIL: sweep"; cat "$T/s.txt"; fail=1; }
check "$T/s.txt" "endpoints          128" sweep
check "$T/s.txt" "endpoints          512" sweep
check "$T/s.txt" "switches           48 (32 ports each" sweep

# Slim Fly q = 28 is not a prime power: counts and cost by formula only, and said so.
"$CS" topo describe slimfly-q28 --cost cost-ndr400-64port > "$T/sf.txt" 2>&1 || { echo "FAIL: sf"; cat "$T/sf.txt"; fail=1; }
check "$T/sf.txt" "switches           1,568" sf
check "$T/sf.txt" "not built: formula_only" sf
"$CS" topo describe slimfly-q28 --set topology.slimfly.formula_only=false > "$T/sfb.txt" 2>&1 && { echo "FAIL: q=28 built"; fail=1; }
check "$T/sfb.txt" "prime power" sf-build

# Bad input: file:line:column and the allowed values.
printf 'schema_version: 1\nexperiment: topology\ntopology:\n  family: fattree\n' > "$T/bad.yaml"
"$CS" topo describe "$T/bad.yaml" > "$T/bad.txt" 2>&1 && { echo "FAIL: bad family accepted"; fail=1; }
check "$T/bad.txt" "bad.yaml:4:11" bad
check "$T/bad.txt" "ft2" bad
printf 'schema_version: 1\nexperiment: topology\ntopology:\n  family: ft2\n  radix: 63\n' > "$T/odd.yaml"
"$CS" topo describe "$T/odd.yaml" > "$T/odd.txt" 2>&1 && { echo "FAIL: odd radix accepted"; fail=1; }
check "$T/odd.txt" "radix" odd
"$CS" topo describe no-such-topology > "$T/none.txt" 2>&1 && { echo "FAIL: unknown preset accepted"; fail=1; }
check "$T/none.txt" "no-such-topology" none

[ $fail -eq 0 ] && echo "cli_topo: 1 passed, 0 failed" || echo "cli_topo: 0 passed, 1 failed"
exit $fail
