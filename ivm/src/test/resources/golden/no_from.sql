SELECT 1 AS x, 'a' AS y
