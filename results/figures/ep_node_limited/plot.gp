# Node-limited routing (paper section 4.3): IB bytes per token (in token sizes t) and dispatch time
# vs the limit M on nodes a token reaches; x = 9 is "no limit". Data: query.sql
# (scenarios/paper/ep_node_limited.yaml). Run by `clustersim report ep_node_limited`.
set terminal @term size 1000,460
set termoption noenhanced
set output out
set multiplot layout 1,2 title "EP64 (8 nodes, one expert group each), top-8: node-limited routing"
set grid
set xlabel "node limit M (9 = none)"
set xrange [0.5:9.5]
set xtics ("1" 1, "2" 2, "3" 3, "4" 4, "5" 5, "6" 6, "7" 7, "8" 8, "none" 9)
set ylabel "IB bytes per token (t)"
set yrange [0:*]
set title "IB traffic per token, in units of t (one token's bytes)"
plot data index 0 using 1:($2 / $4) with linespoints lw 2 pt 7 title "simulated", \
     data index 0 using 1:($1 < 9 ? $1 : 8) with lines dt 2 lc rgb "gray40" title "paper: M t (8 t without the limit)"
set ylabel "dispatch time (us)"
set title "dispatch time"
plot data index 0 using 1:5 with linespoints lw 2 pt 7 notitle
unset multiplot
