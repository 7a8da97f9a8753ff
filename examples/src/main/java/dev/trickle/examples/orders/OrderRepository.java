package dev.trickle.examples.orders;

import org.springframework.data.jpa.repository.JpaRepository;

/** The orders. */
public interface OrderRepository extends JpaRepository<Order, Long> {}
