SELECT dept_id, array_agg(salary ORDER BY id) FILTER (WHERE tag IS NOT NULL) AS tagged, count(*) AS n FROM emp GROUP BY dept_id
