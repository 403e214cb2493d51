# Paper Figure 7: DeepEP-style dispatch and combine on MPFT, 4096 tokens per GPU: RDMA (solid) and
# NVLink (dashed) GB/s per GPU vs EP size; the NIC's 50 GB/s and the paper's 40 GB/s as lines.
# Data: query.sql (scenarios/paper/fig7.yaml). Run by `clustersim report fig7` from this folder.
set terminal @term size 900,560
set termoption noenhanced
set output out
set title "EP dispatch / combine per GPU on MPFT (400G IB, H800), 4096 tokens per GPU"
set xlabel "EP size (GPUs)"
set ylabel "GB/s per GPU"
set logscale x 2
set xrange [12:160]
set yrange [0:*]
set grid
set key outside bottom center horizontal
plot data index 0 using 1:2 with linespoints lw 2 pt 7 title "dispatch RDMA", \
     data index 0 using 1:3 with linespoints lw 2 pt 5 title "combine RDMA", \
     data index 0 using 1:4 with linespoints lw 1 dt 2 pt 6 title "dispatch NVLink", \
     data index 0 using 1:5 with linespoints lw 1 dt 2 pt 4 title "combine NVLink", \
     50 with lines lc rgb "gray40" dt 3 title "NIC 50 GB/s", \
     40 with lines lc rgb "black" dt 4 title "paper: > 40 GB/s"
