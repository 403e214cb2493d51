-- KV cache per request (GiB) versus context length, one series per model.
-- sel(sha256, replicate, run) holds the latest finished run of each current point of the scenario.
SELECT pm.value AS series,
       CAST(pc.value AS REAL) AS x,
       m.value / 1073741824.0 AS y
FROM sel
JOIN params pm ON pm.run = sel.run AND pm.key = 'model.name'
JOIN params pc ON pc.run = sel.run AND pc.key = 'context_len'
JOIN metrics m ON m.run = sel.run AND m.name = 'kv_cache_bytes_per_request'
WHERE sel.replicate = 0
ORDER BY pm.value, x;
