SELECT id, salary FROM emp ORDER BY salary DESC, id LIMIT 10
