package dev.trickle.examples.orders;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;

/** An order: an ordinary table, written through an ordinary repository. */
@Entity
@Table(name = "orders")
public class Order {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(nullable = false)
  private String customer;

  @Column(nullable = false)
  private BigDecimal amount;

  protected Order() {}

  /** An order of {@code amount} by {@code customer}. */
  public Order(String customer, BigDecimal amount) {
    this.customer = customer;
    this.amount = amount;
  }

  public Long getId() {
    return id;
  }

  public String getCustomer() {
    return customer;
  }

  public BigDecimal getAmount() {
    return amount;
  }

  public void setAmount(BigDecimal amount) {
    this.amount = amount;
  }
}
