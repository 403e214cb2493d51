-- DeepSeek-V3 decode TPOT and throughput vs tokens per GPU (scenarios/paper/tpot_vs_tokens.yaml), compute
-- from the compute model: x = tokens (requests) per GPU per micro-batch. One series.
SELECT 'decode' AS series,
       CAST(t.value AS REAL) AS x,
       avg(CASE WHEN m.name = 'tpot_ms' THEN m.value END) AS tpot_ms,
       avg(CASE WHEN m.name = 'output_tokens_per_s_per_gpu' THEN m.value END) AS tokens_per_s_per_gpu
FROM temp.sel
CROSS JOIN temp.cur ON cur.sha256 = sel.sha256
CROSS JOIN params t ON t.run = sel.run AND t.key = 'tokens_per_gpu'
CROSS JOIN metrics m ON m.run = sel.run
GROUP BY sel.sha256
ORDER BY x;
