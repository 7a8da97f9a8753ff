package dev.trickle.rewriter;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The layer rules: this module is pure Java, so it never touches JDBC or PgJDBC; and the SQL
 * vocabulary ({@code dev.trickle.sql}) is the lowest package, depending on nothing else in Trickle,
 * so every module can quote through it.
 */
class PureJavaTest {
  @Test
  void neverDependsOnJdbcOrPgJdbc() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.trickle.rewriter", "dev.trickle.sql");
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.sql..", "javax.sql..", "org.postgresql..")
        .check(classes);
  }

  @Test
  void theSqlVocabularyDependsOnNothingElseInTrickle() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.trickle.sql");
    noClasses()
        .that()
        .resideInAPackage("dev.trickle.sql..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.trickle.rewriter..", "dev.trickle.ivm..", "dev.trickle.immediate..")
        .check(classes);
  }
}
