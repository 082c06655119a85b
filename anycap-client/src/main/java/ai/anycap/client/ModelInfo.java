package ai.anycap.client;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model as {@code /v1/image/models} describes it: its id, the operations and modes it supports,
 * and any other fields the server sent (kept so that nothing is lost when the server adds some).
 *
 * @param id the model id
 * @param operations the operations (such as {@code generate}) with their modes; empty when the
 *     listing did not include them
 * @param attributes every other field of the server's description, as plain Java values
 */
public record ModelInfo(String id, List<Operation> operations, Map<String, Object> attributes) {

  /**
   * Copies the lists and maps, so the model cannot change.
   *
   * @param id the model id
   * @param operations its operations with their modes
   * @param attributes every other field of the server's description
   */
  public ModelInfo {
    Objects.requireNonNull(id, "id");
    operations = List.copyOf(operations);
    attributes = Map.copyOf(attributes);
  }

  /**
   * Whether the model supports this operation in this mode, as far as the description says.
   *
   * @param operation such as {@code generate}
   * @param mode such as {@link Mode#TEXT_TO_IMAGE}
   * @return true when the description lists the operation with the mode
   */
  public boolean supports(String operation, Mode mode) {
    return operations.stream()
        .anyMatch(o -> o.name().equals(operation) && o.modes().contains(mode));
  }

  /**
   * One operation of a model, such as {@code generate}, and the modes it runs in.
   *
   * @param name the operation name
   * @param modes its modes
   */
  public record Operation(String name, List<Mode> modes) {
    /**
     * Copies the modes, so the operation cannot change.
     *
     * @param name the operation name
     * @param modes its modes
     */
    public Operation {
      Objects.requireNonNull(name, "name");
      modes = List.copyOf(modes);
    }
  }
}
