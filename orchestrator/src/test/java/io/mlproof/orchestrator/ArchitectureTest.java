package io.mlproof.orchestrator;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The module's packages form layers: no package depends on itself through others. */
class ArchitectureTest {

  @Test
  void packagesHaveNoCycles() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.mlproof.orchestrator");
    // (**): every package, sub-packages included, is a slice of its own.
    slices().matching("io.mlproof.orchestrator.(**)").should().beFreeOfCycles().check(classes);
  }
}
