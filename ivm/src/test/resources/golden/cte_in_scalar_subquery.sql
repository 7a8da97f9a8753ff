WITH big AS (SELECT dept_id, sum(salary) AS total FROM emp GROUP BY dept_id)
SELECT d.name, b.total FROM dept d, big b
WHERE d.id = b.dept_id AND b.total = (SELECT max(total) FROM big)
