-- FP8 accumulation: mean relative error vs float64 over K; one series per inputs/accumulation
-- (the accumulation kind is the suffix of the metric rel_err_mean_<kind>). Replicates averaged.
SELECT i.value || '/' || substr(m.name, length('rel_err_mean_') + 1) AS series,
       CAST(k.value AS REAL) AS x,
       AVG(m.value) AS y
FROM runs r
JOIN cur ON cur.sha256 = r.scenario_sha256
JOIN params i ON i.run = r.id AND i.key = 'inputs'
JOIN params k ON k.run = r.id AND k.key = 'k'
JOIN metrics m ON m.run = r.id AND m.name LIKE 'rel\_err\_mean\_%' ESCAPE '\'
WHERE r.status = 'ok'
GROUP BY i.value, m.name, k.value
ORDER BY i.value, m.name, x;
