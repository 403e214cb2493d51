-- TPOT bound vs NIC rate (scenarios/paper/tpot_vs_nic.yaml): one series per machine (the topology
-- preset), x = the NIC rate in Gb/s (from the canonical text of topology.node.nic.bw), y = TPOT (ms).
SELECT t.value AS series,
       CASE WHEN b.value LIKE '%GB/s' THEN CAST(replace(b.value, 'GB/s', '') AS REAL) * 8
            WHEN b.value LIKE '%MB/s' THEN CAST(replace(b.value, 'MB/s', '') AS REAL) * 8 / 1000
            WHEN b.value LIKE '%TB/s' THEN CAST(replace(b.value, 'TB/s', '') AS REAL) * 8000
            ELSE NULL END AS x,
       avg(m.value) AS tpot_ms
FROM temp.sel
CROSS JOIN temp.cur ON cur.sha256 = sel.sha256
CROSS JOIN params t ON t.run = sel.run AND t.key = 'topology'
CROSS JOIN params b ON b.run = sel.run AND b.key = 'topology.node.nic.bw'
CROSS JOIN metrics m ON m.run = sel.run AND m.name = 'tpot_ms'
GROUP BY sel.sha256
ORDER BY series, x;
