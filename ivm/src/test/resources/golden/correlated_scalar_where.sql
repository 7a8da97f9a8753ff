SELECT e.id FROM emp e WHERE e.salary > (SELECT 0.5 * avg(salary) FROM emp WHERE dept_id = e.dept_id)
