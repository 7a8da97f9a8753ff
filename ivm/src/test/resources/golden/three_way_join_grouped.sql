SELECT d.region, x.name AS parent, sum(e.salary) AS total FROM emp e, departments x, dept d WHERE d.id = e.dept_id AND x.id = d.id GROUP BY d.region, x.name
