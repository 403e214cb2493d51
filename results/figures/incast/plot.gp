# Incast N:1 (issue 15; scenarios/paper/incast.yaml) on the Figure 8 cluster: InfiniBand credits vs
# RoCE with PFC vs RoCE with PFC + DCQCN. Data: query.sql. Run by `clustersim report incast` from this
# folder with out, term, data, nseries, series set.
# data.tsv columns: 1 senders, 2 goodput (GB/s), 3 victim p99 (us), 4 victim p99 alone (us),
#                   5 worst queue (KiB), 6 paused time summed over arcs (us).
set terminal @term size 1100,800
set termoption noenhanced
set output out
set multiplot layout 2,2 title "Incast: N x 4 MiB to one GPU, 512 H800 GPUs, 2-layer fat-tree of 400G switches (packet model)"
set grid
set key top left
set xlabel "senders N"
set logscale x 2
set xrange [1.6:20]
set ylabel "incast goodput (GB/s)"
set yrange [0:*]
set title "goodput at the receiver"
plot for [i=0:nseries-1] data index i using 1:2 with linespoints lw 2 lc i+1 pt 7 title word(series, i+1)
set ylabel "victim p99 latency (us)"
set title "victim (shares an uplink, not the bottleneck): p99; dashed: alone"
plot for [i=0:nseries-1] data index i using 1:3 with linespoints lw 2 lc i+1 pt 7 title word(series, i+1), \
     for [i=0:nseries-1] data index i using 1:4 with lines lw 1 lc i+1 dt 2 notitle
set ylabel "worst switch queue (KiB)"
set title "deepest output queue"
plot for [i=0:nseries-1] data index i using 1:5 with linespoints lw 2 lc i+1 pt 7 title word(series, i+1)
set ylabel "paused time, summed over links (us)"
set title "PFC: time links spent paused (IB: none, credits instead)"
plot for [i=0:nseries-1] data index i using 1:6 with linespoints lw 2 lc i+1 pt 7 title word(series, i+1)
unset multiplot
