SELECT id, rank() OVER (PARTITION BY dept_id ORDER BY salary) AS r FROM emp
