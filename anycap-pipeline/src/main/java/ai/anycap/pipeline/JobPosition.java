package ai.anycap.pipeline;

import java.util.Objects;

/**
 * Where a job came from: a source (usually a file name) and a line or entry number, counted from
 * 1. Printed as {@code products.csv:14}.
 *
 * @param source the source's description
 * @param line the line (for files) or entry number; 0 when unknown
 */
public record JobPosition(String source, long line) {

  /**
   * A position.
   *
   * @param source the source's description
   * @param line the line or entry number, from 1; 0 when unknown
   */
  public JobPosition {
    Objects.requireNonNull(source, "source");
  }

  /** {@return the position as people read it, such as {@code products.csv:14}} */
  @Override
  public String toString() {
    return line > 0 ? source + ":" + line : source;
  }
}
