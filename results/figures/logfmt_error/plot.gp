# LogFMT-nBit vs FP8 and BF16: relative RMSE by data distribution (data.tsv from query.sql).
# Run by the report as: gnuplot -e "out='logfmt_error.png'; term='png'" plot.gp  (and 'svg').
if (!exists("term")) term = 'png'
if (!exists("out")) out = 'logfmt_error.'.term
if (term eq 'svg') { set terminal svg size 800,480 dynamic font 'Helvetica,12' } else { set terminal pngcairo size 800,480 font 'Helvetica,11' }
set output out
set title "LogFMT vs FP8 (1x128 tiles) and BF16: quantization error"
set ylabel "relative RMSE"
set logscale y
set format y "10^{%T}"
set grid ytics
set key outside right
set xrange [-0.5:4.5]
set xtics ("gaussian" 0, "student-t" 1, "lognormal" 2, "mixture" 3, "outlier ch." 4)
# series names: the '# name' comment line that opens each data block
titles = system("sed -n -E 's/^# *(series[:= ]+)?//p' data.tsv | tr ' ' '_'")
n = words(titles)
plot for [i=0:n-1] 'data.tsv' index i using 1:2 with linespoints pt (i+5) ps 1.2 lw 2 title word(titles, i+1) noenhanced
