SELECT d.id
FROM dept d
WHERE d.id < (SELECT max(e.salary) FROM emp e WHERE e.dept_id > d.id)
