-- Latency under load (scenarios/paper/latency_load.yaml): per fabric (series: the topology preset)
-- and offered background load (x, fraction of the NIC rate): the 64 B one-way latency, mean and p99
-- over the round trips, and the same ping-pong on an idle network. Means over replicates.
SELECT t.value AS series,
       CAST(l.value AS REAL) AS x,
       avg(CASE WHEN m.name = 'one_way_mean_us' THEN m.value END) AS mean_us,
       avg(CASE WHEN m.name = 'one_way_p99_us' THEN m.value END) AS p99_us,
       avg(CASE WHEN m.name = 'one_way_idle_mean_us' THEN m.value END) AS idle_us
FROM temp.sel
CROSS JOIN temp.cur ON cur.sha256 = sel.sha256
CROSS JOIN params t ON t.run = sel.run AND t.key = 'topology'
CROSS JOIN params l ON l.run = sel.run AND l.key = 'load'
CROSS JOIN metrics m ON m.run = sel.run
GROUP BY sel.sha256
ORDER BY min(cur.ord), x;
