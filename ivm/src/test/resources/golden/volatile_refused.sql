SELECT id, random() AS r FROM emp
