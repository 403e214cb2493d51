# DeepSeek-V3 decode TPOT vs context length, compute from the kernel trace / roofline (H800 preset),
# 50 GB/s per NIC, dual micro-batch overlap. Data: query.sql (scenarios/paper/tpot_vs_context.yaml).
set terminal @term size 900,560
set termoption noenhanced
set output out
set title "DeepSeek-V3 decode: TPOT and per-layer compute vs context (32 tokens per GPU, H800 compute model)"
set xlabel "context (tokens of KV per request)"
set ylabel "TPOT (ms)"
set y2label "per micro-batch and layer (us)"
set logscale x 2
set yrange [0:*]
set y2range [0:*]
set ytics nomirror
set y2tics
set grid
set key outside bottom center horizontal
plot data index 0 using 1:2 with linespoints lw 2 pt 7 title "TPOT", \
     data index 0 using 1:3 axes x1y2 with linespoints lw 1 dt 2 pt 5 title "attention (MLA + projections)", \
     data index 0 using 1:4 axes x1y2 with linespoints lw 1 dt 2 pt 4 title "routed experts"
