-- The Getting Started tutorial as one runnable script. `trickle run docs/getting-started.sql`
-- executes it through the driver on an embedded PostgreSQL and prints every result.

CREATE EXTENSION pg_trickle;

-- Step 1: base tables
CREATE TABLE departments (
    id        SERIAL PRIMARY KEY,
    name      TEXT NOT NULL,
    parent_id INT REFERENCES departments(id)
);

CREATE TABLE employees (
    id            SERIAL PRIMARY KEY,
    name          TEXT NOT NULL,
    department_id INT NOT NULL REFERENCES departments(id),
    salary        NUMERIC(10,2) NOT NULL
);

INSERT INTO departments (id, name, parent_id) VALUES
    (1, 'Company', NULL);
INSERT INTO departments (id, name, parent_id) VALUES
    (2, 'Engineering', 1),
    (3, 'Sales',       1),
    (4, 'Operations',  1);
INSERT INTO departments (id, name, parent_id) VALUES
    (5, 'Backend',  2),
    (6, 'Frontend', 2),
    (7, 'Platform', 2);

INSERT INTO employees (name, department_id, salary) VALUES
    ('Alice',   5, 120000),   -- Backend
    ('Bob',     5, 115000),   -- Backend
    ('Charlie', 6, 110000),   -- Frontend
    ('Diana',   7, 130000),   -- Platform
    ('Eve',     3,  95000),   -- Sales
    ('Frank',   3,  90000),   -- Sales
    ('Grace',   4, 100000);   -- Operations

-- Step 2: a recursive stream table
SELECT pgtrickle.create_stream_table(
    name     => 'department_tree',
    query    => $$
    WITH RECURSIVE tree AS (
        -- Base case: root departments (no parent)
        SELECT id, name, parent_id, name AS path, 0 AS depth
        FROM departments
        WHERE parent_id IS NULL

        UNION ALL

        -- Recursive step: children join back to the tree
        SELECT d.id, d.name, d.parent_id,
               tree.path || ' > ' || d.name AS path,
               tree.depth + 1
        FROM departments d
        JOIN tree ON d.parent_id = tree.id
    )
    SELECT id, name, parent_id, path, depth FROM tree
    $$,
    schedule => '1m'
);

SELECT * FROM department_tree ORDER BY path;

-- Step 3: chain stream tables
SELECT pgtrickle.create_stream_table(
    name     => 'department_stats',
    query    => $$
    SELECT
        t.id          AS department_id,
        t.name        AS department_name,
        t.path        AS full_path,
        t.depth,
        COUNT(e.id)                    AS headcount,
        COALESCE(SUM(e.salary), 0)     AS total_salary,
        COALESCE(AVG(e.salary), 0)     AS avg_salary
    FROM department_tree t
    LEFT JOIN employees e ON e.department_id = t.id
    GROUP BY t.id, t.name, t.path, t.depth
    $$,
    schedule => 'calculated'  -- CALCULATED: inherit schedule from downstream
);

SELECT department_name, full_path, headcount, total_salary
FROM department_stats
ORDER BY full_path;

SELECT pgtrickle.create_stream_table(
    name     => 'department_report',
    query    => $$
    SELECT
        split_part(full_path, ' > ', 2) AS division,
        SUM(headcount)                  AS total_headcount,
        SUM(total_salary)               AS total_payroll
    FROM department_stats
    WHERE depth >= 1
    GROUP BY 1
    $$,
    schedule => '1m'  -- the only explicit schedule; CALCULATED tables above inherit it
);

SELECT * FROM department_report ORDER BY division;

-- Step 4a: a single INSERT ripples through all three layers
INSERT INTO employees (name, department_id, salary) VALUES
    ('Heidi', 6, 105000);  -- New Frontend engineer

SELECT pgtrickle.refresh_stream_table('department_stats');
SELECT pgtrickle.refresh_stream_table('department_report');

SELECT department_name, headcount, total_salary
FROM department_stats
WHERE department_name = 'Frontend';

-- Step 4b: a department change cascades through the whole DAG
INSERT INTO departments (id, name, parent_id) VALUES
    (8, 'DevOps', 2);  -- New team under Engineering

SELECT pgtrickle.refresh_stream_table('department_tree');
SELECT pgtrickle.refresh_stream_table('department_stats');
SELECT pgtrickle.refresh_stream_table('department_report');

SELECT id, name, depth, path FROM department_tree WHERE name = 'DevOps';

-- Step 4c: a rename cascades everywhere
UPDATE departments SET name = 'R&D' WHERE id = 2;

SELECT pgtrickle.refresh_stream_table('department_tree');
SELECT pgtrickle.refresh_stream_table('department_stats');
SELECT pgtrickle.refresh_stream_table('department_report');

SELECT name, path FROM department_tree WHERE path LIKE '%R&D%' ORDER BY depth;

-- Step 4d: DELETE
DELETE FROM employees WHERE name = 'Bob';

SELECT pgtrickle.refresh_stream_table('department_stats');
SELECT pgtrickle.refresh_stream_table('department_report');

SELECT * FROM department_stats WHERE department_name = 'Backend';

-- Step 5: monitoring
SELECT name, status, refresh_mode, schedule, data_timestamp, staleness
FROM pgtrickle.pgt_status();

SELECT pgt_name, total_refreshes, avg_duration_ms, successful_refreshes
FROM pgtrickle.pg_stat_stream_tables;

SELECT check_name, severity, detail FROM pgtrickle.health_check();
SELECT * FROM pgtrickle.dependency_tree();
SELECT * FROM pgtrickle.refresh_timeline(10);
SELECT * FROM pgtrickle.change_buffer_sizes();
SELECT * FROM pgtrickle.worker_pool_status();
SELECT * FROM pgtrickle.parallel_job_status(60);

-- Step 6: IMMEDIATE mode
SELECT pgtrickle.create_stream_table(
    name         => 'live_headcount',
    query        => $$
        SELECT department_id, COUNT(*) AS headcount
        FROM employees
        GROUP BY department_id
    $$,
    refresh_mode => 'IMMEDIATE'
);

SELECT pgtrickle.alter_stream_table('department_stats', refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.alter_stream_table('department_stats',
    refresh_mode => 'DIFFERENTIAL', schedule => '1m');

-- Step 7: clean up
SELECT pgtrickle.drop_stream_table('live_headcount');
SELECT pgtrickle.drop_stream_table('department_report');
SELECT pgtrickle.drop_stream_table('department_stats');
SELECT pgtrickle.drop_stream_table('department_tree');
DROP TABLE employees;
DROP TABLE departments;

-- Deployment: idempotent migrations
-- SELECT pgtrickle.create_or_replace_stream_table(
--     name => 'employee_salaries',
--     query => 'SELECT e.id, e.name, d.name AS department, e.salary
--               FROM employees e JOIN departments d ON e.department_id = d.id',
--     schedule => '2m',
--     refresh_mode => 'DIFFERENTIAL');
