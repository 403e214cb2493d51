-- Paper Figure 7 (scenarios/paper/fig7.yaml): per EP size (x), DeepEP-style per-GPU RDMA and NVLink
-- bandwidth of dispatch and combine, and the times. One series.
SELECT 'mpft' AS series,
       CAST(g.value AS REAL) AS x,
       avg(CASE WHEN m.name = 'dispatch_rdma_GBps' THEN m.value END) AS dispatch_rdma_GBps,
       avg(CASE WHEN m.name = 'combine_rdma_GBps' THEN m.value END) AS combine_rdma_GBps,
       avg(CASE WHEN m.name = 'dispatch_nvl_GBps' THEN m.value END) AS dispatch_nvl_GBps,
       avg(CASE WHEN m.name = 'combine_nvl_GBps' THEN m.value END) AS combine_nvl_GBps,
       avg(CASE WHEN m.name = 'dispatch_us' THEN m.value END) AS dispatch_us,
       avg(CASE WHEN m.name = 'combine_us' THEN m.value END) AS combine_us
FROM temp.sel
CROSS JOIN temp.cur ON cur.sha256 = sel.sha256
CROSS JOIN params g ON g.run = sel.run AND g.key = 'gpus'
CROSS JOIN metrics m ON m.run = sel.run
GROUP BY sel.sha256
ORDER BY x;
