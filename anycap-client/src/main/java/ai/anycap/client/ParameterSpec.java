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
 */
public record ParameterSpec(
    String name, String type, boolean required, List<String> enumValues, String description) {

  /**
   * Copies the allowed values, so the specification cannot change.
   *
   * @param name the parameter name
   * @param type the declared JSON type, or {@code ""}
   * @param required whether a request must carry it
   * @param enumValues the allowed values, or empty
   * @param description the server's description, or {@code ""}
   */
  public ParameterSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    enumValues = List.copyOf(enumValues);
    Objects.requireNonNull(description, "description");
  }
}
