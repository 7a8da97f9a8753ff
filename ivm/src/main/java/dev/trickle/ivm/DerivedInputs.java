package dev.trickle.ivm;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a block's plan owes its derived inputs: their nested plans' setup, population and
 * teardown, and in a refresh their steps first, so that a derived input whose sources changed
 * appears to the block's rule as one more changed input (named by its pseudo-oid).
 */
final class DerivedInputs {
  private DerivedInputs() {}

  /** The captured relations under the block: its base inputs' and its derived inputs' sources. */
  static Set<Long> sources(QueryBlock block) {
    Set<Long> oids = new LinkedHashSet<>();
    for (Input input : block.inputs()) {
      if (input.derived() != null) {
        oids.addAll(input.derived().plan().sourceOids());
      } else if (!input.isFunction() && input.relation().oid() > 0) {
        oids.add(input.relation().oid());
      }
    }
    for (SemiJoin semi : block.semiJoins()) {
      if (semi.input().derived() != null) {
        oids.addAll(semi.input().derived().plan().sourceOids());
      } else {
        oids.add(semi.input().relation().oid());
      }
    }
    return oids;
  }

  static List<Step> setup(QueryBlock block) {
    List<Step> steps = new ArrayList<>();
    block.derivedInputs().forEach(i -> steps.addAll(i.derived().plan().setup()));
    return steps;
  }

  static List<Step> populate(QueryBlock block) {
    List<Step> steps = new ArrayList<>();
    block.derivedInputs().forEach(i -> steps.addAll(i.derived().plan().populate()));
    return steps;
  }

  static List<Step> teardown(QueryBlock block) {
    List<Step> steps = new ArrayList<>();
    block.derivedInputs().forEach(i -> steps.addAll(i.derived().plan().teardown()));
    return steps;
  }

  /** The derived inputs' refresh steps for the sources that changed. */
  static List<Step> refresh(QueryBlock block, Set<Long> changed) {
    List<Step> steps = new ArrayList<>();
    for (Input input : block.derivedInputs()) {
      Set<Long> own = new LinkedHashSet<>(input.derived().plan().sourceOids());
      own.retainAll(changed);
      if (!own.isEmpty()) {
        steps.addAll(input.derived().plan().refresh(own));
      }
    }
    return steps;
  }

  /** {@code changed} plus the pseudo-oids of derived inputs whose sources changed. */
  static Set<Long> changedInputs(QueryBlock block, Set<Long> changed) {
    Set<Long> all = new LinkedHashSet<>(changed);
    for (Input input : block.derivedInputs()) {
      for (long oid : input.derived().plan().sourceOids()) {
        if (changed.contains(oid)) {
          all.add(input.derived().pseudoOid());
          break;
        }
      }
    }
    return all;
  }
}
