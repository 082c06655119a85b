package ai.anycap.alpha;

import ai.anycap.alpha.internal.Hidden;

/** Fixture: module "alpha" using its own internal class, which the rule allows. */
public final class UsesItsOwnInternal {

  private UsesItsOwnInternal() {}

  /** Calls into alpha's internal package. */
  public static int answer() {
    return Hidden.answer();
  }
}
