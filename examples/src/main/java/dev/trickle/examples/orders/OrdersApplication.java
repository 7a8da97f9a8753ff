package dev.trickle.examples.orders;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The service: nothing Trickle-specific here; the URL and the starter do it. */
@SpringBootApplication
public class OrdersApplication {
  /** Runs the service. */
  public static void main(String[] args) {
    SpringApplication.run(OrdersApplication.class, args);
  }
}
