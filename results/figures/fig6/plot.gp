# Paper Figure 6: NCCL all-to-all time on 16 GPUs vs size, MRFT vs MPFT, PXN on and off. Data: query.sql (scenarios/paper/fig6.yaml). Run by `clustersim report fig6` from this
# folder with out, term, data, nseries, series set.
set terminal @term size 900,560
set termoption noenhanced
set output out
set title "NCCL all-to-all latency, 16 H800 GPUs, 400G IB: MRFT vs MPFT, series: family, PXN, GPUs"
set xlabel "size S per rank (bytes)"
set ylabel "time (us)"
set logscale xy
set format x "%.0s%cB"
set grid
set key top left
plot for [i=0:nseries-1] data index i using 1:3 with linespoints lw 2 lc i+1 pt (i % 2 ? 6 : 7) title word(series, i+1)
