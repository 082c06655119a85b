package ai.anycap.client;

import java.util.List;
import java.util.Objects;

/**
 * One parameter of a model schema.
 *
 * @param name the parameter name, as sent in the request body
 * @param type the JSON type the server declares ({@code string}, {@code integer}, {@code number},
 *     {@code boolean}, {@code array}), or {@code ""} when it declares none
 * @param required whether a request must carry it
 * @param enumValues the allowed values, empty when any value of the type is allowed
 * @param description the server's description, or {@code ""}
 * @param format the declared {@code format} of the value or, for an array, of its items (such as
 *     {@value #FILE_OR_URL}), or {@code ""} when the schema declares none
 */
public record ParameterSpec(
    String name,
    String type,
    boolean required,
    List<String> enumValues,
    String description,
    String format) {

  /** The format of parameters that take a local file or a URL, such as {@code images}. */
  public static final String FILE_OR_URL = "file-or-url";

  /**
   * Checks that no part is null and copies the allowed values, so the specification cannot
   * change.
   *
   * @param name the parameter name
   * @param type the declared JSON type, or {@code ""}
   * @param required whether a request must carry it
   * @param enumValues the allowed values, or empty
   * @param description the server's description, or {@code ""}
   * @param format the declared format, or {@code ""}
   */
  public ParameterSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    enumValues = List.copyOf(enumValues);
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(format, "format");
  }

  /**
   * A parameter with no declared format.
   *
   * @param name the parameter name
   * @param type the JSON type, or {@code ""}
   * @param required whether a request must carry it
   * @param enumValues the allowed values, or empty
   * @param description the description, or {@code ""}
   */
  public ParameterSpec(
      String name, String type, boolean required, List<String> enumValues, String description) {
    this(name, type, required, enumValues, description, "");
  }

  /**
   * Whether the parameter takes files: its schema says {@code "format": "file-or-url"}, so a
   * local file ({@link ImageRef}) may be given, and is uploaded before the call.
   *
   * @return true for a {@code file-or-url} parameter
   */
  public boolean takesFiles() {
    return FILE_OR_URL.equals(format);
  }
}
