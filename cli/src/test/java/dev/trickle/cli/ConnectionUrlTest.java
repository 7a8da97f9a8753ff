package dev.trickle.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConnectionUrlTest {
  @Test
  void keepsATrickleUrl() {
    ConnectionUrl url = ConnectionUrl.parse("jdbc:trickle:postgresql://db:5433/app?user=u");

    assertThat(url.jdbcUrl()).isEqualTo("jdbc:trickle:postgresql://db:5433/app?user=u");
    assertThat(url.properties()).isEmpty();
  }

  @Test
  void routesAPgJdbcUrlThroughTrickle() {
    assertThat(ConnectionUrl.parse("jdbc:postgresql://db/app?sslmode=require").jdbcUrl())
        .isEqualTo("jdbc:trickle:postgresql://db/app?sslmode=require");
  }

  @Test
  void convertsALibpqUriMovingDecodedCredentialsToProperties() {
    ConnectionUrl url =
        ConnectionUrl.parse(
            "postgresql://app%40corp:p%3Ass+w@db1:5432,db2:5433/sales?sslmode=require");

    assertThat(url.jdbcUrl())
        .isEqualTo("jdbc:trickle:postgresql://db1:5432,db2:5433/sales?sslmode=require");
    assertThat(url.properties())
        .containsEntry("user", "app@corp")
        .containsEntry("password", "p:ss+w")
        .hasSize(2);
  }

  @Test
  void convertsShortLibpqForms() {
    assertThat(ConnectionUrl.parse("postgres://alice@localhost/db").jdbcUrl())
        .isEqualTo("jdbc:trickle:postgresql://localhost/db");
    assertThat(ConnectionUrl.parse("postgres://alice@localhost/db").properties())
        .containsOnlyKeys("user");
    assertThat(ConnectionUrl.parse("postgresql://").jdbcUrl())
        .isEqualTo("jdbc:trickle:postgresql://localhost/");
    assertThat(ConnectionUrl.parse("postgresql://[::1]:5432?application_name=x").jdbcUrl())
        .isEqualTo("jdbc:trickle:postgresql://[::1]:5432/?application_name=x");
  }

  @Test
  void refusesOtherSchemesWithoutEchoingCredentials() {
    assertThatThrownBy(() -> ConnectionUrl.parse("mysql://root:secret@db/app"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mysql://")
        .hasMessageNotContaining("secret")
        .hasMessageContaining("jdbc:trickle:postgresql://");
  }
}
