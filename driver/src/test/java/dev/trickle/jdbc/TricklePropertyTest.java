package dev.trickle.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Holds {@link TrickleProperty} to its conventions and to its documentation. */
class TricklePropertyTest {
  /** docs/ of the repository; tests run in the driver module's directory. */
  private static final Path CONFIGURATION_DOC = Path.of("..", "docs", "configuration.md");

  @Test
  void namesAreLowerCaseDottedUniqueAndInTheTrickleNamespace() {
    Set<String> names = new HashSet<>();
    for (TrickleProperty p : TrickleProperty.values()) {
      assertThat(p.getName()).as(p.name()).startsWith(TrickleProperty.PREFIX);
      assertThat(p.getName()).as(p.name()).matches("trickle(\\.[a-z][a-z0-9_]*)+");
      assertThat(names.add(p.getName())).as("unique name " + p.getName()).isTrue();
      assertThat(TrickleProperty.forName(p.getName())).contains(p);
    }
  }

  @Test
  void everyPropertyHasADescriptionAndAnAcceptableDefault() throws Exception {
    for (TrickleProperty p : TrickleProperty.values()) {
      assertThat(p.getDescription()).as(p.getName()).isNotBlank().endsWith(".");
      assertThat(p.getDefaultValue()).as(p.getName()).isNotNull();
      p.validate(p.getDefaultValue());
      if (p.getChoices().length > 0) {
        assertThat(p.getChoices()).as(p.getName()).contains(p.getDefaultValue());
      }
    }
  }

  @Test
  void everyPropertyIsDocumentedWithItsDefault() throws IOException {
    String doc = Files.readString(CONFIGURATION_DOC);
    String section = doc.substring(doc.indexOf("## Connection properties"));
    for (TrickleProperty p : TrickleProperty.values()) {
      assertThat(section)
          .as("docs/configuration.md documents " + p.getName())
          .containsPattern(
              "\\| *`"
                  + p.getName().replace(".", "\\.")
                  + "` *\\| *`"
                  + p.getDefaultValue()
                  + "` *\\|");
    }
    assertThat(Arrays.stream(section.split("\n")).filter(l -> l.startsWith("| `trickle.")))
        .as("no documented property is missing from the enum")
        .allMatch(l -> TrickleProperty.forName(l.split("`")[1]).isPresent());
  }
}
