# Paper Figure 5: NCCL all-to-all bus bandwidth vs size, MRFT vs MPFT, PXN on and off, 32 to 128 GPUs. Data: query.sql (scenarios/paper/fig5.yaml). Run by `clustersim report
# fig5` from this folder with out, term, data, nseries, series set.
set terminal @term size 1000,600
set termoption noenhanced
set output out
set title "NCCL all-to-all (nccl-tests), H800 hosts, 400G IB: MRFT vs MPFT, series: family, PXN, GPUs"
set xlabel "size S per rank (bytes)"
set ylabel "bus bandwidth (GB/s)"
set logscale x 2
set format x "%.0s%cB"
set yrange [0:*]
set grid
set key outside right
plot for [i=0:nseries-1] data index i using 1:2 with linespoints lw 2 lc i+1 pt (i % 2 ? 6 : 7) title word(series, i+1)
