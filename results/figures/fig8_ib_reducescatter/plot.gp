# Paper Figure 8, InfiniBand ReduceScatter: bus bandwidth by routing (bars, one cluster per TP size) at 256 MiB;
# black dots: the slowest group; dashed: the NIC's rate. Data: query.sql (scenarios/paper/fig8.yaml).
# Run by `clustersim report fig8` from this folder with out, term, data, nseries, series set.
set terminal @term size 800,520
set output out
set title "InfiniBand ReduceScatter, 256 MiB: 512 H800 GPUs in TP groups (one GPU per host, 2 channels)"
set xlabel "TP size (GPUs in a group, one per host; all groups at once)"
set ylabel "bus bandwidth (GB/s)"
set yrange [0:*]
set xrange [-0.6:5.6]
set xtics ("2" 0, "4" 1, "8" 2, "16" 3, "32" 4, "64" 5)
set style fill solid 0.75 border -1
set boxwidth 0.26
set grid ytics
set key outside bottom center horizontal
set offsets 0, 0, graph 0.08, 0
pos(x, i) = log(x) / log(2) - 1 + (i - (nseries - 1) / 2.0) * 0.28
plot for [i=0:nseries-1] data index i using (pos($1, i)):2 with boxes title word(series, i+1), \
     for [i=0:nseries-1] data index i using (pos($1, i)):3 with points pt 7 ps 0.7 lc rgb "black" \
       title (i == 0 ? "slowest group" : ""), \
     data index 0 using (log($1) / log(2) - 1):4 with lines dt 2 lw 2 lc rgb "gray40" title "NIC rate"
