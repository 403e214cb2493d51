# FP8 dot products: FP22 tensor-core accumulation vs FP32 vs promotion every 128 (data.tsv from query.sql).
# Run by the report as: gnuplot -e "out='fp8_accum_error.png'; term='png'" plot.gp  (and 'svg').
if (!exists("term")) term = 'png'
if (!exists("out")) out = 'fp8_accum_error.'.term
if (term eq 'svg') { set terminal svg size 800,480 dynamic font 'Helvetica,12' } else { set terminal pngcairo size 800,480 font 'Helvetica,11' }
set output out
set title "FP8 accumulation: relative error vs float64"
set xlabel "K (dot-product length)"
set ylabel "mean relative error"
set logscale xy 2
set logscale y 10
set format y "10^{%T}"
set format x "%.0f"
set grid
set key outside right
# series names: the '# name' comment line that opens each data block
titles = system("sed -n -E 's/^# *(series[:= ]+)?//p' data.tsv | tr ' ' '_'")
n = words(titles)
# errors of exactly 0 (FP32 sums that happen to be exact) cannot sit on a log axis: gnuplot skips them
plot for [i=0:n-1] 'data.tsv' index i using 1:($2 > 0 ? $2 : NaN) with linespoints pt (i+5) lw 2 title word(titles, i+1) noenhanced
