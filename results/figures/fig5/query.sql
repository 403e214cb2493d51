-- Paper Figure 5 (scenarios/paper/fig5.yaml): nccl-tests all-to-all busbw per size (x, bytes per
-- rank S) for each topology family, PXN setting and GPU count (series "mrft pxn 32", ...).
SELECT fam.value || (CASE WHEN px.value = 'true' THEN ' pxn ' ELSE ' no-pxn ' END) || g.value AS series,
       CAST(sz.value AS REAL) AS x,
       avg(bw.value) AS busbw_GBps,
       avg(t.value) AS time_us
FROM temp.sel
CROSS JOIN temp.cur ON cur.sha256 = sel.sha256
CROSS JOIN params fam ON fam.run = sel.run AND fam.key = 'topology.family'
CROSS JOIN params px ON px.run = sel.run AND px.key = 'pxn'
CROSS JOIN params g ON g.run = sel.run AND g.key = 'gpus'
CROSS JOIN metrics sz ON sz.run = sel.run AND sz.name = 'size_B'
CROSS JOIN metrics bw ON bw.run = sel.run AND bw.name = 'busbw_GBps'
CROSS JOIN metrics t ON t.run = sel.run AND t.name = 'time_us'
GROUP BY sel.sha256
ORDER BY CAST(g.value AS INTEGER), px.value DESC, fam.value, x;
