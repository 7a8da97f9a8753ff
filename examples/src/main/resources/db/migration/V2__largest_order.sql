-- A later release adds a column to a stream table: the query changes in place and the stream
-- table is repopulated in the migration's transaction.
ALTER STREAM TABLE customer_totals SET (query = '
SELECT customer, count(*) AS orders, sum(amount) AS revenue, max(amount) AS largest
  FROM orders
 GROUP BY customer');
