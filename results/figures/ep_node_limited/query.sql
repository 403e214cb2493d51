-- Node-limited routing (scenarios/paper/ep_node_limited.yaml): per node limit (x; 0 = none, shown
-- as 9), IB bytes per token, remote nodes per token, token bytes, dispatch time.
SELECT 'ep64' AS series,
       CASE WHEN CAST(l.value AS INTEGER) = 0 THEN 9.0 ELSE CAST(l.value AS REAL) END AS x,
       avg(CASE WHEN m.name = 'ib_bytes_per_token' THEN m.value END) AS ib_bytes_per_token,
       avg(CASE WHEN m.name = 'remote_nodes_per_token' THEN m.value END) AS remote_nodes,
       avg(CASE WHEN m.name = 'token_bytes' THEN m.value END) AS token_bytes,
       avg(CASE WHEN m.name = 'dispatch_us' THEN m.value END) AS dispatch_us
FROM temp.sel
CROSS JOIN temp.cur ON cur.sha256 = sel.sha256
CROSS JOIN params l ON l.run = sel.run AND l.key = 'node_limit'
CROSS JOIN metrics m ON m.run = sel.run
GROUP BY sel.sha256
ORDER BY x;
