SELECT e.id, d.name, x.parent_id FROM departments x JOIN dept d ON d.id = x.id JOIN emp e ON e.dept_id = d.id
