SELECT d.id, d.name FROM dept d WHERE d.id IN (SELECT dept_id FROM emp GROUP BY dept_id HAVING sum(salary) > 100)
