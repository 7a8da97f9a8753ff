SELECT id, d.region, p.parent_id FROM dept d FULL JOIN departments p USING (id) WHERE d.name IS NOT NULL
