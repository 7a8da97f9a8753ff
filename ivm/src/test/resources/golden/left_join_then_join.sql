SELECT d.name, e.id AS eid, p.parent_id FROM dept d LEFT JOIN emp e ON e.dept_id = d.id JOIN departments p ON p.id = d.id
