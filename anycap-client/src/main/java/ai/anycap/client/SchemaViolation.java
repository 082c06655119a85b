package ai.anycap.client;

import java.util.Objects;

/**
 * One way a request breaks a model's schema.
 *
 * @param parameter the parameter concerned
 * @param kind what is wrong with it
 * @param message a sentence for people, naming the parameter, the value and what is allowed
 */
public record SchemaViolation(String parameter, Kind kind, String message) {

  /** The kinds of problem {@link ModelSchema#check(ImageRequest)} reports. */
  public enum Kind {
    /** The request sends a parameter the schema does not list. */
    UNKNOWN_PARAMETER,
    /** The request lacks a parameter the schema requires. */
    MISSING_REQUIRED,
    /** A value is not one of the schema's allowed values. */
    NOT_IN_ENUM,
    /** A value is not of the schema's type (a number where a string is wanted, say). */
    WRONG_TYPE
  }

  /**
   * Creates one; {@link ModelSchema#check(ImageRequest)} does.
   *
   * @param parameter the parameter concerned
   * @param kind what is wrong with it
   * @param message a sentence for people
   */
  public SchemaViolation {
    Objects.requireNonNull(parameter, "parameter");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return message;
  }
}
