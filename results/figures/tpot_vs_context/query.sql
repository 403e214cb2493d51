-- DeepSeek-V3 decode TPOT vs context length (scenarios/paper/tpot_vs_context.yaml), compute from the
-- compute model: x = context (tokens per request), TPOT (ms), attention and routed-expert time per
-- micro-batch and layer (us). One series.
SELECT 'decode' AS series,
       CAST(c.value AS REAL) AS x,
       avg(CASE WHEN m.name = 'tpot_ms' THEN m.value END) AS tpot_ms,
       avg(CASE WHEN m.name = 'attn_us' THEN m.value END) AS attn_us,
       avg(CASE WHEN m.name = 'experts_us' THEN m.value END) AS experts_us
FROM temp.sel
CROSS JOIN temp.cur ON cur.sha256 = sel.sha256
CROSS JOIN params c ON c.run = sel.run AND c.key = 'context'
CROSS JOIN metrics m ON m.run = sel.run
GROUP BY sel.sha256
ORDER BY x;
