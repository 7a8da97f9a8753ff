-- Idempotent deployment: the same definition again is a no-op, a changed query migrates in place.
SELECT pgtrickle.create_or_replace_stream_table(
    name  => 'big_orders',
    query => 'SELECT id, customer, amount FROM orders WHERE amount > 8',
    schedule => '5m',
    refresh_mode => 'DIFFERENTIAL');
