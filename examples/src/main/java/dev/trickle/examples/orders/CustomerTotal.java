package dev.trickle.examples.orders;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.Synchronize;

/**
 * A row of the IMMEDIATE stream table {@code customer_totals}, mapped read-only: {@code @Immutable}
 * keeps Hibernate from writing it (the stream table's guard would refuse), and {@code
 * @Synchronize("orders")} makes Hibernate flush pending order writes before it queries this entity,
 * so a query in the transaction that saved orders sees them counted.
 */
@Entity
@Immutable
@Synchronize("orders")
@Table(name = "customer_totals")
public class CustomerTotal {
  @Id private String customer;
  private long orders;
  private BigDecimal revenue;
  private BigDecimal largest;

  protected CustomerTotal() {}

  public String getCustomer() {
    return customer;
  }

  public long getOrders() {
    return orders;
  }

  public BigDecimal getRevenue() {
    return revenue;
  }

  public BigDecimal getLargest() {
    return largest;
  }
}
