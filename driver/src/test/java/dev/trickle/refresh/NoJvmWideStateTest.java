package dev.trickle.refresh;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The refresh keeps no JVM-wide state: what one refresh leaves for the next (work tables, cleanup
 * pacing) is held per engine and connection, so two engines, or two connections, never read each
 * other's.
 */
class NoJvmWideStateTest {
  private static final JavaClasses REFRESH =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.trickle.refresh");

  @Test
  void noStaticMapsOrCounters() {
    noFields()
        .that().areStatic()
        .should().haveRawType(Map.class)
        .orShould().haveRawType(AtomicLong.class)
        .orShould().notBeFinal()
        .check(REFRESH);
  }
}
