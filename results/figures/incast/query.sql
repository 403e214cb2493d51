-- Incast (scenarios/paper/incast.yaml): per fabric variant (series: ib_credits, roce_pfc, roce_dcqcn)
-- and number of senders (x): incast goodput, the victim's p99 message latency (and alone), the worst
-- switch queue, and the paused time summed over arcs. The IB x dcqcn points equal IB's (DCQCN acts on
-- Ethernet links only) and are left out. Means over replicates.
SELECT CASE WHEN f.value = 'fabric-ib-ndr' THEN 'ib_credits'
            WHEN d.value = 'true' THEN 'roce_pfc_dcqcn' ELSE 'roce_pfc' END AS series,
       CAST(n.value AS REAL) AS x,
       avg(CASE WHEN m.name = 'goodput_GBps' THEN m.value END) AS goodput_GBps,
       avg(CASE WHEN m.name = 'victim_p99_us' THEN m.value END) AS victim_p99_us,
       avg(CASE WHEN m.name = 'victim_alone_p99_us' THEN m.value END) AS victim_alone_p99_us,
       avg(CASE WHEN m.name = 'max_queue_KiB' THEN m.value END) AS max_queue_KiB,
       avg(CASE WHEN m.name = 'pause_us' THEN m.value END) AS pause_us
FROM temp.sel
CROSS JOIN temp.cur ON cur.sha256 = sel.sha256
CROSS JOIN params f ON f.run = sel.run AND f.key = 'topology.fabric'
CROSS JOIN params d ON d.run = sel.run AND d.key = 'network.packet.dcqcn'
CROSS JOIN params n ON n.run = sel.run AND n.key = 'senders'
CROSS JOIN metrics m ON m.run = sel.run
WHERE NOT (f.value = 'fabric-ib-ndr' AND d.value = 'true')
GROUP BY sel.sha256
ORDER BY min(cur.ord), x;
