-- A Flyway migration that creates stream tables through the driver, in both spellings.
CREATE EXTENSION IF NOT EXISTS pg_trickle;

CREATE TABLE orders (
    id       bigint PRIMARY KEY,
    customer text NOT NULL,
    amount   numeric(10,2) NOT NULL
);

INSERT INTO orders VALUES (1, 'ada', 10), (2, 'ada', 5), (3, 'bob', 7);

SELECT pgtrickle.create_stream_table(
    name  => 'revenue_by_customer',
    query => $$ SELECT customer, sum(amount) AS revenue, count(*) AS orders FROM orders GROUP BY customer $$,
    schedule => '1m'
);

CREATE STREAM TABLE big_orders WITH (schedule = '5m', refresh_mode = 'DIFFERENTIAL') AS
    SELECT id, customer, amount FROM orders WHERE amount > 6;
