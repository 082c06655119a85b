package ai.anycap.beta;

import ai.anycap.alpha.internal.Hidden;

/**
 * Fixture: module "beta" using module "alpha"'s internal class, which the rule must report. It
 * stands for the mistake the rule exists to catch, so that the rule is seen to fail.
 */
public final class ReachesIntoAlpha {

  private ReachesIntoAlpha() {}

  /** Calls into alpha's internal package. */
  public static int answer() {
    return Hidden.answer();
  }
}
