SELECT dept_id, tag FROM emp EXCEPT ALL SELECT id, name FROM dept
