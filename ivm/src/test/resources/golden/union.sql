SELECT id FROM dept UNION SELECT dept_id FROM emp
