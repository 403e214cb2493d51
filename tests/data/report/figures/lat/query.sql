-- Test fixture: latency versus message size, one series per transport.
-- temp.sel holds the latest 'ok' run of each current point and replicate; temp.cur their order.
SELECT p.value AS series, s.x AS bytes, avg(s.y) AS latency_us
FROM temp.sel
JOIN temp.cur ON cur.sha256 = sel.sha256
JOIN series s ON s.run = sel.run AND s.name = 'latency_us'
JOIN params p ON p.run = sel.run AND p.key = 'transport'
GROUP BY p.value, s.x
ORDER BY min(cur.ord), s.x;
