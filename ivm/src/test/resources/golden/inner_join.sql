SELECT e.id, d.name, e.salary * 2 AS pay FROM emp e JOIN dept d ON d.id = e.dept_id
