SELECT d.id, (SELECT count(*) FROM emp WHERE dept_id = d.id) AS headcount FROM dept d
