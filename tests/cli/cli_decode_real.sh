#!/bin/sh
# Experiment `decode` with compute: model (scenarios/examples/decode-real.yaml, cut to 4 layers: 3 dense +
# 1 MoE): every op's duration from the compute model, its source named.
#   1. derived.compute names the MLA decode kernel as measured (trace_exact, the H100 trace has 32 x 4096)
#      and the GEMMs at 32 tokens as roofline; TPOT is above the compute: zero step's.
#   2. responses: a longer context (8192) lengthens attention; halving the GPU's HBM bandwidth lengthens
#      the memory-bound roofline ops (experts, LM head) by 2x within 5% and leaves the traced MLA kernel
#      alone; use_trace: false turns the MLA kernel into a roofline.
#   3. bad input: compute: model without a gpu: preset (exit 2, load time, the message names gpu:).
CS=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
m() { sqlite3 "$T/$1.sqlite" "SELECT value FROM metrics WHERE name = '$2'"; }
p() { sqlite3 "$T/$1.sqlite" "SELECT value FROM params WHERE key = '$2'"; }
run() {
  n=$1; shift
  "$CS" run "$SRC/scenarios/examples/decode-real.yaml" --presets "$SRC/scenarios" --db "$T/$n.sqlite" -q \
    --set layers=4 "$@" > "$T/$n.log" 2>&1 || { echo "FAIL: run $n ($*):"; cat "$T/$n.log"; fail=1; }
}
ok() {   # ok AWK-CONDITION A B WHAT
  awk -v a="$2" -v b="$3" "BEGIN { exit !($1) }" || { echo "FAIL: $4 (a=$2 b=$3)"; fail=1; }
}
run real
run zero --set compute=zero
run ctx8k --set context=8192
run hbm --set gpu.compute.hbm_bw=1.675TB/s
run roof --set use_trace=false
p real derived.compute | grep -q "mla_decode(32,4096,128,0)=trace_exact" \
  || { echo "FAIL: MLA decode not from the trace:"; p real derived.compute; fail=1; }
p real derived.compute | grep -q "^  gemm(32,256,7168,0)=roofline" \
  || { echo "FAIL: the gate GEMM not named roofline:"; p real derived.compute; fail=1; }
ok 'b > a * 1.5' "$(m zero tpot_ms)" "$(m real tpot_ms)" "compute: model TPOT not above compute: zero"
ok 'a > 0 && b > a' "$(m real attn_us)" "$(m ctx8k attn_us)" "context 8192 does not lengthen attention"
ok 'b > 1.95 * a && b < 2.05 * a' "$(m real experts_us)" "$(m hbm experts_us)" "half HBM: experts not 2x"
ok 'b > 1.95 * a && b < 2.05 * a' "$(m real lm_head_us)" "$(m hbm lm_head_us)" "half HBM: LM head not 2x"
mla() { p "$1" derived.compute | sed -n 's/^  mla_decode([^)]*)=[a-z_]* \([0-9.]*\) us$/\1/p'; }
[ -n "$(mla real)" ] && [ "$(mla real)" = "$(mla hbm)" ] || { echo "FAIL: traced MLA moved with HBM: $(mla real) $(mla hbm)"; fail=1; }
p roof derived.compute | grep -q "mla_decode(32,4096,128,0)=roofline" || { echo "FAIL: use_trace false still traced"; fail=1; }
grep -v "^gpu:" "$SRC/scenarios/examples/decode-real.yaml" > "$T/nogpu.yaml"
"$CS" run "$T/nogpu.yaml" --presets "$SRC/scenarios" --db "$T/bad.sqlite" -q > "$T/bad.log" 2>&1
rc=$?
[ $rc = 2 ] || { echo "FAIL: compute: model without gpu: exit $rc, want 2"; cat "$T/bad.log"; fail=1; }
grep -q "compute: model needs a gpu: preset" "$T/bad.log" || { echo "FAIL: message:"; cat "$T/bad.log"; fail=1; }
exit $fail
