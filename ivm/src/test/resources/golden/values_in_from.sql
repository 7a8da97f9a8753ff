SELECT e.id, v.label FROM emp e JOIN (VALUES (1, 'one'), (2, 'two')) AS v(n, label) ON v.n = e.dept_id
