-- The catalog, the orders and two stream tables over them, as any Flyway migration: through the
-- jdbc:trickle: DataSource, these statements run like every other.
CREATE EXTENSION IF NOT EXISTS pg_trickle;

CREATE TABLE orders (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer  text NOT NULL,
  amount    numeric(12, 2) NOT NULL,
  placed_on date NOT NULL DEFAULT current_date
);

-- Maintained inside every transaction that writes orders: a service reads its own writes.
CREATE STREAM TABLE customer_totals WITH (refresh_mode = 'IMMEDIATE') AS
SELECT customer, count(*) AS orders, sum(amount) AS revenue
  FROM orders
 GROUP BY customer;

-- Refreshed by the scheduler within a second of a change.
CREATE STREAM TABLE daily_revenue WITH (schedule = '1s') AS
SELECT placed_on, count(*) AS orders, sum(amount) AS revenue
  FROM orders
 GROUP BY placed_on;
