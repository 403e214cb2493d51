# PCIe contention (paper section 4.5): EP latency and throughput per GPU versus the offered KV-cache
# load (host memory -> GPU), without priority (none) and with EP before KV (ep_first).
# Run by `clustersim report pcie_contention` from this folder with out, term, data, nseries, series set.
# data.tsv columns: 1 KV offered (GB/s), 2 EP p50 (us), 3 EP p99 (us), 4 EP max (us),
#                   5 EP throughput (GB/s), 6 KV achieved (GB/s), 7 EP latency without contention (us).
set terminal @term size 1100,450
set termoption noenhanced   # series names hold underscores (ep_first)
set output out
set multiplot layout 1,2 title "KV-cache loads vs expert-parallel traffic on a GPU's PCIe link (8 H800 hosts, MPFT)"
set grid
set key opaque box maxrows 3 width -2
set xlabel "KV-cache load offered per GPU (GB/s)"
set xrange [-1:*]
set ylabel "EP message latency (us)"
set yrange [0:*]
set title "EP latency: p50 (solid), p99 (dashed)"
set key at graph 0.98, graph 0.04 right bottom
plot for [i=0:nseries-1] data index i using 1:2 with linespoints lw 2 lc i+1 pt 7 title word(series, i+1)." p50", \
     for [i=0:nseries-1] data index i using 1:3 with linespoints lw 2 lc i+1 dt 2 pt 6 title word(series, i+1)." p99", \
     data index 0 using 1:7 with lines lc rgb "gray" dt 3 title "no contention"
set ylabel "throughput per GPU (GB/s)"
set title "EP throughput (solid), KV achieved (dashed)"
set key at graph 0.98, graph 0.02 right bottom
plot for [i=0:nseries-1] data index i using 1:5 with linespoints lw 2 lc i+1 pt 7 title word(series, i+1)." EP", \
     for [i=0:nseries-1] data index i using 1:6 with linespoints lw 2 lc i+1 dt 2 pt 6 title word(series, i+1)." KV", \
     x with lines lc rgb "gray" dt 3 title "KV offered"
unset multiplot
