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
    UNKNOWN_PARAMETER,
    MISSING_REQUIRED,
    NOT_IN_ENUM,
    WRONG_TYPE
  }

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
