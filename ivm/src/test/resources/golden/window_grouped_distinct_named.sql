SELECT DISTINCT dept_id % 2 AS parity, rank() OVER w AS place FROM emp GROUP BY dept_id WINDOW w AS (PARTITION BY dept_id % 2 ORDER BY sum(salary) DESC)
