SELECT d.id FROM dept d WHERE EXISTS (SELECT 1 FROM emp e JOIN departments p ON p.id = e.dept_id WHERE e.dept_id = d.id AND p.name <> d.name)
