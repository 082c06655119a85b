package ai.anycap.pipeline;

import ai.anycap.client.AnyCapException;
import java.util.List;

/**
 * A batch was refused before anything was spent, because entries of its source are malformed
 * (or break their model's schema), or because no entry could run as the pipeline is set up (an
 * output root that cannot be written, a budget no job fits in, a balance short of the estimate).
 * {@link #problems()} lists them all together (the first {@value #MAX_PROBLEMS}); the message shows
 * the first few, each naming the file, line and field, or the setting. Use {@code
 * skipInvalidRows()} to run the good entries anyway (problems of the whole batch still refuse it).
 */
public final class BatchValidationException extends AnyCapException {

  /** How many problems the exception keeps in full; {@link #problemCount()} counts all. */
  public static final int MAX_PROBLEMS = 100;

  /** The first problems found. */
  private final List<InvalidJobException> problems;
  /** How many problems there are in all. */
  private final long problemCount;

  /**
   * A refusal of a batch.
   *
   * @param source the source's description, such as its file name
   * @param problems the first problems found, at most {@value #MAX_PROBLEMS}
   * @param problemCount how many there are in all
   */
  public BatchValidationException(String source, List<InvalidJobException> problems, long problemCount) {
    super(message(source, problems, problemCount));
    this.problems = List.copyOf(problems);
    this.problemCount = problemCount;
  }

  /** {@return the problems found, at most {@value #MAX_PROBLEMS}} */
  public List<InvalidJobException> problems() {
    return problems;
  }

  /** {@return how many problems there are in all} */
  public long problemCount() {
    return problemCount;
  }

  private static String message(String source, List<InvalidJobException> problems, long count) {
    StringBuilder s = new StringBuilder();
    s.append(source).append(": ").append(count).append(count == 1 ? " problem" : " problems")
        .append(" found before the first request; nothing was sent:");
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
