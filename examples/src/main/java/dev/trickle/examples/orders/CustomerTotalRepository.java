package dev.trickle.examples.orders;

import java.util.Optional;
import org.springframework.data.repository.Repository;

/** Reads {@code customer_totals}; a plain {@link Repository}, so it offers no save or delete. */
public interface CustomerTotalRepository extends Repository<CustomerTotal, String> {
  /** The customer's totals, by query (which flushes pending order writes first). */
  Optional<CustomerTotal> findByCustomer(String customer);
}
