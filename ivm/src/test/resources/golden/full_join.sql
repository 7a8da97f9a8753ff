SELECT d.id AS did, e.id AS eid FROM dept d FULL JOIN emp e ON d.id = e.dept_id
