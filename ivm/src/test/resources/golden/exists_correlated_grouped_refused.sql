SELECT d.id
FROM dept d
WHERE EXISTS (SELECT e.dept_id FROM emp e
              WHERE e.dept_id = d.id GROUP BY e.dept_id HAVING count(*) > 2)
