package dev.trickle.examples.orders;

import java.math.BigDecimal;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Places orders and answers with the customer's totals from the same transaction. */
@Service
public class OrderService {
  private final OrderRepository orders;
  private final CustomerTotalRepository totals;

  OrderService(OrderRepository orders, CustomerTotalRepository totals) {
    this.orders = orders;
    this.totals = totals;
  }

  /**
   * Saves an order and returns the customer's totals including it: the IMMEDIATE stream table was
   * maintained by the insert, inside this transaction.
   */
  @Transactional
  public Placed place(String customer, BigDecimal amount) {
    Order order = orders.save(new Order(customer, amount));
    return new Placed(order.getId(), totals.findByCustomer(customer).orElseThrow());
  }

  /** An order's id and its customer's totals including it. */
  public record Placed(long orderId, CustomerTotal totals) {}

  /**
   * Changes an order's amount and returns the customer's totals: the change is only in Hibernate's
   * session until it flushes, which it does before the query because {@link CustomerTotal} is
   * synchronized with {@code orders}.
   */
  @Transactional
  public CustomerTotal changeAmount(long orderId, BigDecimal amount) {
    Order order = orders.findById(orderId).orElseThrow();
    order.setAmount(amount);
    return totals.findByCustomer(order.getCustomer()).orElseThrow();
  }

  /** Saves an order and fails afterwards: the order and its effect on the totals roll back. */
  @Transactional
  public void placeAndFail(String customer, BigDecimal amount) {
    orders.save(new Order(customer, amount));
    CustomerTotal seen = totals.findByCustomer(customer).orElseThrow();
    throw new IllegalStateException(
        "refused after the totals showed " + seen.getOrders() + " orders for " + customer);
  }
}
