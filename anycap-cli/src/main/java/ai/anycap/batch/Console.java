package ai.anycap.batch;

import java.io.PrintWriter;
import java.util.Objects;

/**
 * Where the CLI writes: results to standard output, progress and problems to standard error. In a
 * simulated run every line starts with {@value #SIMULATED}, so that no line of it, copied
 * anywhere, can pass for real output. Thread-safe.
 */
final class Console {

  static final String SIMULATED = "[simulated] ";

  private final PrintWriter out;
  private final PrintWriter err;
  private final String prefix;

  Console(PrintWriter out, PrintWriter err, boolean simulated) {
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
    this.prefix = simulated ? SIMULATED : "";
  }

  boolean simulated() {
    return !prefix.isEmpty();
  }

  /** The prefix every line gets: {@value #SIMULATED} or nothing. */
  String prefix() {
    return prefix;
  }

  /** Writes text to standard output, each of its lines prefixed. */
  void out(String text) {
    write(out, text);
  }

  /** Writes text to standard error, each of its lines prefixed. */
  void err(String text) {
    write(err, text);
  }

  /** A problem the user must act on, on standard error. */
  void error(String text) {
    write(err, "anycap-batch: " + text);
  }

  private synchronized void write(PrintWriter w, String text) {
    for (String line : text.split("\\R", -1)) {
      w.println(prefix + line);
    }
    w.flush();
  }
}
