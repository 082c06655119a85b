package ai.anycap.alpha.internal;

/** Fixture: an internal class of a module "alpha", which only alpha may use. */
public final class Hidden {

  private Hidden() {}

  /** Something to call. */
  public static int answer() {
    return 42;
  }
}
