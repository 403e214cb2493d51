-- KV cache per request (GiB) versus context length, one series per model.
-- cur(sha256) holds the current points of scenario kv_cache_context.
SELECT pm.value AS series,
       CAST(pc.value AS REAL) AS x,
       m.value / 1073741824.0 AS y
FROM runs r
JOIN cur ON cur.sha256 = r.scenario_sha256
JOIN params pm ON pm.run = r.id AND pm.key = 'model.name'
JOIN params pc ON pc.run = r.id AND pc.key = 'context_len'
JOIN metrics m ON m.run = r.id AND m.name = 'kv_cache_bytes_per_request'
WHERE r.status = 'ok' AND r.replicate = 0
ORDER BY pm.value, x;
