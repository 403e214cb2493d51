-- LogFMT vs FP8/BF16: relative RMSE per format (series, from the metric suffix) over the data
-- distributions (x = 0..4 in the sweep's order; plot.gp labels them). Replicates are averaged.
SELECT substr(m.name, length('rel_rmse_') + 1) AS series,
       CASE d.value WHEN 'gaussian' THEN 0 WHEN 'student_t' THEN 1 WHEN 'lognormal' THEN 2
                    WHEN 'mixture' THEN 3 WHEN 'outlier_channels' THEN 4 END AS x,
       AVG(m.value) AS y
FROM runs r
JOIN cur ON cur.sha256 = r.scenario_sha256
JOIN params d ON d.run = r.id AND d.key = 'distribution'
JOIN metrics m ON m.run = r.id AND m.name LIKE 'rel\_rmse\_%' ESCAPE '\'
WHERE r.status = 'ok'
GROUP BY m.name, d.value
ORDER BY CASE substr(m.name, length('rel_rmse_') + 1) WHEN 'logfmt8' THEN 0 WHEN 'logfmt10' THEN 1
           WHEN 'e4m3' THEN 2 WHEN 'e5m2' THEN 3 WHEN 'bf16' THEN 4 ELSE 5 END, series, x;
