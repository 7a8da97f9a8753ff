SELECT dept_id, sum(salary) AS total, rank() OVER (ORDER BY sum(salary) DESC) AS place FROM emp GROUP BY dept_id
