package ai.anycap.pipeline;

import ai.anycap.client.AnyCapException;
import java.util.List;

/**
 * A batch was refused before anything was spent, because entries of its source are malformed.
 * {@link #problems()} lists them (the first {@value #MAX_PROBLEMS}); the message shows the first
 * few, each naming the file, line and field. Use {@code skipInvalidRows()} to run the good
 * entries anyway.
 */
public final class BatchValidationException extends AnyCapException {

  public static final int MAX_PROBLEMS = 100;

  private final List<InvalidJobException> problems;
  private final long problemCount;

  public BatchValidationException(String source, List<InvalidJobException> problems, long problemCount) {
    super(message(source, problems, problemCount));
    this.problems = List.copyOf(problems);
    this.problemCount = problemCount;
  }

  /** The problems found, at most {@value #MAX_PROBLEMS}. */
  public List<InvalidJobException> problems() {
    return problems;
  }

  /** How many problems there are in all. */
  public long problemCount() {
    return problemCount;
  }

  private static String message(String source, List<InvalidJobException> problems, long count) {
    StringBuilder s = new StringBuilder();
    s.append(source).append(" has ").append(count).append(count == 1 ? " invalid entry" : " invalid entries")
        .append("; nothing was sent:");
    int shown = 0;
    for (InvalidJobException p : problems) {
      if (shown++ == 10) {
        s.append(System.lineSeparator()).append("  ... and ").append(count - 10).append(" more");
        break;
      }
      s.append(System.lineSeparator()).append("  ").append(p.getMessage());
    }
    return s.toString();
  }
}
