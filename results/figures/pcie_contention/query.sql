-- EP message latency and throughput per GPU versus the offered KV-cache load, one series per
-- kv_priority (none, ep_first). Means over replicates.
-- sel(sha256, replicate, run) holds the latest finished run of each current point of the scenario.
-- Columns: series, kv offered (GB/s per GPU), EP p50 (us), EP p99 (us), EP max (us),
--          EP throughput (GB/s per GPU), KV achieved (GB/s per GPU), EP latency alone (us).
SELECT pp.value AS series,
       avg(CASE WHEN m.name = 'kv_offered_GBps' THEN m.value END) AS x,
       avg(CASE WHEN m.name = 'ep_lat_p50_us' THEN m.value END) AS ep_p50_us,
       avg(CASE WHEN m.name = 'ep_lat_p99_us' THEN m.value END) AS ep_p99_us,
       avg(CASE WHEN m.name = 'ep_lat_max_us' THEN m.value END) AS ep_max_us,
       avg(CASE WHEN m.name = 'ep_tput_GBps' THEN m.value END) AS ep_tput_GBps,
       avg(CASE WHEN m.name = 'kv_tput_GBps' THEN m.value END) AS kv_tput_GBps,
       avg(CASE WHEN m.name = 'ep_lat_alone_us' THEN m.value END) AS ep_alone_us
FROM sel
JOIN cur ON cur.sha256 = sel.sha256
JOIN params pp ON pp.run = sel.run AND pp.key = 'kv_priority'
JOIN metrics m ON m.run = sel.run
GROUP BY sel.sha256
ORDER BY min(cur.ord);
