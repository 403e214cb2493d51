# DeepSeek-V3 decode TPOT and output tokens/s per GPU vs tokens per GPU, compute from the kernel trace /
# roofline (H800 preset), context 4096, 50 GB/s per NIC. Data: query.sql (scenarios/paper/tpot_vs_tokens.yaml).
set terminal @term size 900,560
set termoption noenhanced
set output out
set title "DeepSeek-V3 decode: TPOT and throughput vs batch (context 4096, H800 compute model)"
set xlabel "tokens (requests) per GPU per micro-batch"
set ylabel "TPOT (ms)"
set y2label "output tokens/s per GPU"
set logscale x 2
set yrange [0:*]
set y2range [0:*]
set ytics nomirror
set y2tics
set grid
set key outside bottom center horizontal
plot data index 0 using 1:2 with linespoints lw 2 pt 7 title "TPOT", \
     data index 0 using 1:3 axes x1y2 with linespoints lw 2 dt 2 pt 5 title "output tokens/s per GPU"
