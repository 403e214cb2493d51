-- Paper Figure 8, InfiniBand ReduceScatter: bus bandwidth at the largest size (256 MiB) per TP size (x) and
-- routing (series: ecmp, adaptive, static in sweep order). Columns: x = ranks; busbw_GBps = mean
-- over the concurrent groups, then over replicates; busbw_min_GBps = the slowest group, mean over
-- replicates; line_GBps = a rank's NIC rate (the ceiling). CROSS JOIN fixes the join order (sel
-- first, then lookups by primary key): left to itself SQLite starts from params_by_key and scans the
-- unindexed temp tables once per row, which takes minutes on this sweep.
SELECT p.value AS series,
       CAST(r.value AS REAL) AS x,
       avg(m.value) AS busbw_GBps,
       avg(mm.value) AS busbw_min_GBps,
       avg(l.value) AS line_GBps
FROM temp.sel
CROSS JOIN temp.cur ON cur.sha256 = sel.sha256
CROSS JOIN params p ON p.run = sel.run AND p.key = 'network.routing'
CROSS JOIN params r ON r.run = sel.run AND r.key = 'ranks'
CROSS JOIN params o ON o.run = sel.run AND o.key = 'op' AND o.value = 'reducescatter'
CROSS JOIN params f ON f.run = sel.run AND f.key = 'topology.fabric' AND f.value = 'fabric-ib-ndr'
CROSS JOIN metrics m ON m.run = sel.run AND m.name = 'busbw_GBps'
CROSS JOIN metrics mm ON mm.run = sel.run AND mm.name = 'busbw_min_GBps'
CROSS JOIN metrics l ON l.run = sel.run AND l.name = 'line_GBps'
GROUP BY p.value, r.value
ORDER BY min(cur.ord), x;
