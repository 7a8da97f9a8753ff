SELECT d.id, e.id AS eid
FROM dept d JOIN emp e USING (id)
