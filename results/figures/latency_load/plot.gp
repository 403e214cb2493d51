# Latency under load (issue 15; scenarios/paper/latency_load.yaml): Table 5's 64 B ping-pong, cross
# leaf, while 512 GPUs send 64 KiB messages to random peers at a fraction of their NIC rate; IB NDR
# vs RoCE (PFC + ECN + DCQCN), packet model. Data: query.sql. Run by `clustersim report latency_load`
# from this folder with out, term, data, nseries, series set.
# data.tsv columns: 1 load, 2 one-way mean (us), 3 one-way p99 (us), 4 idle one-way (us).
set terminal @term size 800,520
set termoption noenhanced
set output out
set title "64 B one-way latency, cross leaf, under a background all-to-all (512 H800 GPUs, packet model)"
set xlabel "background load offered per GPU (fraction of its 400G NIC)"
set ylabel "one-way latency (us)"
set yrange [0:*]
set xrange [-0.02:0.95]
set grid
set key top left
plot for [i=0:nseries-1] data index i using 1:2 with linespoints lw 2 lc i+1 pt 7 title word(series, i+1)." mean", \
     for [i=0:nseries-1] data index i using 1:3 with linespoints lw 2 lc i+1 dt 2 pt 6 title word(series, i+1)." p99", \
     for [i=0:nseries-1] data index i using 1:4 with lines lw 1 lc i+1 dt 3 title word(series, i+1)." idle (Table 5)"
