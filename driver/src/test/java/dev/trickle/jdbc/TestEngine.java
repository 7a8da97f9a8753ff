package dev.trickle.jdbc;

import dev.trickle.compile.IvmMaintenanceCompiler;
import dev.trickle.refresh.CompilationCache;
import dev.trickle.refresh.RefreshEngine;

/** The refresh engine tests hand to a driver they build, made as the driver makes its own. */
final class TestEngine {
  private TestEngine() {}

  /** A refresh engine over a compilation cache over the delta compiler. */
  static RefreshEngine standard() {
    return new RefreshEngine(new CompilationCache(new IvmMaintenanceCompiler()));
  }
}
