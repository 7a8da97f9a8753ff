SELECT dept_id, count(*) FILTER (WHERE salary > 10) AS rich, sum(salary) FILTER (WHERE tag IS NOT NULL) AS tagged, max(salary) FILTER (WHERE tag = 'a') AS top_a FROM emp GROUP BY dept_id
