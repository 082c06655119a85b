package ai.anycap.client;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code GET /v1/status} reports: server information and the key's authentication state.
 * The response shape is not documented, so every field is kept in {@link #fields()} and the
 * accessors look for the common ones without failing when they are absent.
 *
 * @param fields the response's top-level fields (and those under {@code data}, when present), as
 *     plain Java values
 */
public record ServiceStatus(Map<String, Object> fields) {

  /**
   * Copies the fields, so the status cannot change.
   *
   * @param fields the response's fields, as plain Java values
   */
  public ServiceStatus {
    fields = Map.copyOf(Objects.requireNonNull(fields, "fields"));
  }

  /**
   * A top-level field by name.
   *
   * @param name the field's JSON name
   * @return its value as a plain Java value (string, number, boolean, list, map), or empty
   */
  public Optional<Object> field(String name) {
    return Optional.ofNullable(fields.get(name));
  }

  /**
   * Whether the server says this key is authenticated.
   *
   * @return what it says, or empty when it says nothing about it
   */
  public Optional<Boolean> authenticated() {
    for (String key : new String[] {"authenticated", "is_authenticated", "auth"}) {
      Object v = fields.get(key);
      if (v instanceof Boolean b) {
        return Optional.of(b);
      }
      if (v instanceof Map<?, ?> m && m.get("authenticated") instanceof Boolean b) {
        return Optional.of(b);
      }
    }
    return Optional.empty();
  }

  /**
   * The server's version.
   *
   * @return the version, or empty when it reports none
   */
  public Optional<String> version() {
    return Optional.ofNullable(fields.get("version")).map(String::valueOf);
  }
}
