# TPOT bound of DeepSeek-V3 decode vs NIC rate: 8-GPU hosts on IB vs one GB200 NVL72 domain (72 GPUs).
# Data: query.sql (scenarios/paper/tpot_vs_nic.yaml). Run by `clustersim report tpot_vs_nic` from here.
set terminal @term size 900,560
set termoption noenhanced
set output out
set title "DeepSeek-V3 decode TPOT bound (compute zero, 61 layers) vs NIC rate"
set xlabel "NIC rate per GPU (Gb/s)"
set ylabel "TPOT (ms)"
set logscale xy 2
set xrange [80:2000]
set grid
set key outside bottom center horizontal
plot data index 0 using 1:2 with linespoints lw 2 pt 7 title "8-GPU hosts, InfiniBand", \
     data index 1 using 1:2 with linespoints lw 2 pt 5 title "GB200 NVL72 (900 GB/s NVLink)"
