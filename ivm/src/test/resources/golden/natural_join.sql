SELECT * FROM dept d NATURAL JOIN departments p
