package ai.anycap.pipeline;

import ai.anycap.client.AnyCapException;
import java.util.Objects;
import java.util.Optional;

/**
 * A job entry is malformed: a CSV row missing a column, a JSON line that does not parse, a
 * template that cannot be filled, an output key that leaves the output root, a parameter its
 * model's schema refuses. The message names the file, the line and the field. A problem of the
 * batch as a whole (an output root that is a file, a budget no job fits in, a balance short of
 * the estimate) is reported the same way, at the setting concerned: its position is the
 * builder setting's name, such as {@code outputRoot}, with line 0.
 */
public final class InvalidJobException extends AnyCapException {

  /** Where the entry is. */
  private final JobPosition position;
  /** The column, key or field concerned, or null. */
  private final String field;
  /** What is wrong, without the position. */
  private final String problem;

  /**
   * A malformed entry.
   *
   * @param position where the entry is
   * @param field the column, key or field concerned, or null when it is the whole entry
   * @param problem what is wrong, as a sentence without the position
   */
  public InvalidJobException(JobPosition position, String field, String problem) {
    this(position, field, problem, null);
  }

  /**
   * A malformed entry, with the exception that showed it.
   *
   * @param position where the entry is
   * @param field the column, key or field concerned, or null when it is the whole entry
   * @param problem what is wrong, as a sentence without the position
   * @param cause the underlying exception, or null
   */
  public InvalidJobException(JobPosition position, String field, String problem, Throwable cause) {
    super(
        Objects.requireNonNull(position, "position")
            + ": "
            + (field == null ? "" : "field '" + field + "': ")
            + Objects.requireNonNull(problem, "problem"),
        cause);
    this.position = position;
    this.field = field;
    this.problem = problem;
  }

  /** {@return where the entry is} */
  public JobPosition position() {
    return position;
  }

  /** {@return the column, key or field concerned; empty when it is the whole entry} */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }

  /** {@return what is wrong, without the position} */
  public String problem() {
    return problem;
  }
}
