SELECT d.id, e.id AS eid, p.id AS pid FROM dept d JOIN departments p ON p.id = d.id FULL JOIN emp e ON e.dept_id = d.id
