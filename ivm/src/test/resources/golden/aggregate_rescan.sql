SELECT dept_id, min(salary) AS lo, string_agg(tag, ',') AS tags FROM emp GROUP BY dept_id HAVING count(*) > 1
