package dev.trickle;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The package order inside the driver, every arrow pointing down:
 *
 * <pre>
 *   jdbc                      metrics
 *     |                          |
 *   service   scheduler          |
 *     |           |              |
 *   compile  (the delta compiler behind refresh's MaintenanceCompiler)
 *     |                          |
 *   refresh                      |
 *     |                          |
 *   capture                      |
 *     |                          |
 *   catalog  &lt;-------------------+
 * </pre>
 *
 * <p>{@code jdbc} is where the driver starts: it reads the {@code trickle.*} settings once and
 * builds the one compilation cache and refresh engine it hands to {@code service} and {@code
 * scheduler}, which never reach each other. {@code compile} implements the interface {@code
 * refresh} owns, so the engine never names the compiler. {@code metrics} is read by applications
 * only and may use nothing but the catalog. A package may skip layers downwards; nothing may point
 * up or sideways. The bottom of the driver ({@code catalog}, {@code capture}) does not reach into
 * the delta compiler's modules either: the SQL vocabulary they share lives in the lowest module.
 */
class PackageOrderTest {
  private static final JavaClasses DRIVER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages(
              "dev.trickle.jdbc",
              "dev.trickle.metrics",
              "dev.trickle.service",
              "dev.trickle.scheduler",
              "dev.trickle.compile",
              "dev.trickle.refresh",
              "dev.trickle.capture",
              "dev.trickle.catalog");

  @Test
  void everyArrowInsideTheDriverPointsDown() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("jdbc").definedBy("dev.trickle.jdbc..")
        .layer("metrics").definedBy("dev.trickle.metrics..")
        .layer("service").definedBy("dev.trickle.service..")
        .layer("scheduler").definedBy("dev.trickle.scheduler..")
        .layer("compile").definedBy("dev.trickle.compile..")
        .layer("refresh").definedBy("dev.trickle.refresh..")
        .layer("capture").definedBy("dev.trickle.capture..")
        .layer("catalog").definedBy("dev.trickle.catalog..")
        .whereLayer("jdbc").mayNotBeAccessedByAnyLayer()
        .whereLayer("metrics").mayNotBeAccessedByAnyLayer()
        .whereLayer("metrics").mayOnlyAccessLayers("catalog")
        .whereLayer("service").mayOnlyBeAccessedByLayers("jdbc")
        .whereLayer("scheduler").mayOnlyBeAccessedByLayers("jdbc")
        .whereLayer("compile").mayOnlyBeAccessedByLayers("jdbc", "service", "scheduler")
        .whereLayer("refresh")
        .mayOnlyBeAccessedByLayers("jdbc", "service", "scheduler", "compile")
        .whereLayer("capture")
        .mayOnlyBeAccessedByLayers("jdbc", "service", "scheduler", "compile", "refresh")
        .whereLayer("catalog")
        .mayOnlyBeAccessedByLayers(
            "jdbc", "metrics", "service", "scheduler", "compile", "refresh", "capture")
        .check(DRIVER);
  }

  @Test
  void theBottomOfTheDriverNeedsNoDeltaCompiler() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.trickle.catalog..", "dev.trickle.capture..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.trickle.ivm..", "dev.trickle.immediate..")
        .check(DRIVER);
  }
}
