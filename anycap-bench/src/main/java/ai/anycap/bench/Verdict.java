package ai.anycap.bench;

/** How a row fares against its goal. */
enum Verdict {
  PASS("PASS"),
  MISS("MISS"),
  /** A comparison run with no goal of its own, such as the fixed-concurrency baseline. */
  REFERENCE("ref");

  private final String label;

  Verdict(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }

  static Verdict atLeast(double ratio, double goal) {
    return ratio >= goal ? PASS : MISS;
  }

  static Verdict atMost(double ratio, double goal) {
    return ratio <= goal ? PASS : MISS;
  }
}
