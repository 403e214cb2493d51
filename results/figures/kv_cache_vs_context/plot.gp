# KV cache held per request versus context length (BF16), one line per model.
# Run by `clustersim report kv_cache_context` from this folder with out, term, data, nseries, series set.
set terminal @term size 800,500
set output out
set title "KV cache per request versus context length (BF16)"
set xlabel "context length (tokens)"
set ylabel "KV cache per request (GiB)"
set logscale xy 2
set format x "%.0f"
set key top left
set grid
plot for [i=0:nseries-1] data index i using 1:2 with linespoints lw 2 title word(series, i+1)
