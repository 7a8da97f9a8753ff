package dev.trickle.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.catalog.Column;
import dev.trickle.catalog.SourceKind;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A definition compiles once; any change to it (version, source columns) compiles again. */
class CompilationCacheTest {
  private final AtomicInteger compilations = new AtomicInteger();
  private final CompilationCache cache =
      new CompilationCache(
          (c, definition) -> {
            compilations.incrementAndGet();
            return new Compilation.FullOnly("test", 0, "compiled " + compilations.get());
          });

  @Test
  void compilesEachDefinitionOnce() throws Exception {
    Compilation first = cache.compile(null, definition(1, "int"));
    assertThat(cache.compile(null, definition(1, "int"))).isSameAs(first);
    assertThat(compilations).hasValue(1);

    assertThat(cache.compile(null, definition(2, "int"))).isNotSameAs(first);
    assertThat(cache.compile(null, definition(1, "bigint"))).isNotSameAs(first);
    assertThat(compilations).hasValue(3);
  }

  private static StreamTableDefinition definition(int version, String sourceColumnType) {
    return new StreamTableDefinition(
        7,
        1007,
        "public",
        "st",
        "SELECT v FROM t",
        "public",
        List.of(new Column("v", "integer")),
        List.of(
            new StreamTableDefinition.Source(
                42, "public", "t", SourceKind.TABLE, List.of("v"),
                List.of(new Column("v", sourceColumnType)), Map.of())),
        version);
  }
}
