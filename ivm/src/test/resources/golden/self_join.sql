SELECT a.id, b.id AS other FROM emp a JOIN emp b ON a.dept_id = b.dept_id
