# Test fixture: latency versus message size, one line per series.
# clustersim sets: out, term, fmt, data, nseries, series (docs/reports.md); terminal and output
# are already set, the two lines below only change the size.
set terminal @term size 640,400
set output out
set logscale x 2
set xlabel "message size (bytes)"
set ylabel "latency (us)"
set key top left
plot for [i=1:nseries] data index (i-1) using 1:2 with linespoints title word(series, i)
