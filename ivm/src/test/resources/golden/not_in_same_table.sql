SELECT id, salary FROM emp WHERE dept_id NOT IN (SELECT id FROM emp WHERE salary > 10)
