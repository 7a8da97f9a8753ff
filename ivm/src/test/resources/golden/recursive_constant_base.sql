WITH RECURSIVE t(node) AS (SELECT 1 AS node UNION ALL SELECT e.dst FROM t JOIN edges e ON e.src = t.node)
SELECT node FROM t
