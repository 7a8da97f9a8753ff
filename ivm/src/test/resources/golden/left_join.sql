SELECT d.id, d.name, e.id AS eid FROM dept d LEFT JOIN emp e ON e.dept_id = d.id
