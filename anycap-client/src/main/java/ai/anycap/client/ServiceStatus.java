package ai.anycap.client;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code GET /v1/status} reports: server information and the key's authentication state.
 * The response shape is not documented (the CLI requires no field of it), so every field is kept
 * in {@link #fields()}, the body in {@link #json()}, and the accessors look for the common ones
 * without failing when they are absent. The shape seen so far: {@code
 * {"data":{"user":{..},"credits":{"balance":42},"server":{"version":..}}}}.
 *
 * @param fields the response's top-level fields (and those under {@code data}, when present), as
 *     plain Java values
 * @param json the response body as received (with the API key redacted, should it appear)
 */
public record ServiceStatus(Map<String, Object> fields, String json) {

  /**
   * Copies the fields, so the status cannot change.
   *
   * @param fields the response's fields, as plain Java values
   * @param json the response body as received, the API key redacted
   */
  public ServiceStatus {
    fields = Map.copyOf(Objects.requireNonNull(fields, "fields"));
    Objects.requireNonNull(json, "json");
  }

  /**
   * The account's credit balance: {@code credits.balance}, or a top-level {@code balance} or
   * {@code credit_balance}.
   *
   * @return the balance, when the server reports a number
   */
  public Optional<BigDecimal> creditBalance() {
    Object credits = fields.get("credits");
    Object v = credits instanceof Map<?, ?> m ? m.get("balance") : credits;
    if (!(v instanceof Number)) {
      v = fields.get("balance") instanceof Number ? fields.get("balance") : fields.get("credit_balance");
    }
    return v instanceof Number n ? Optional.of(new BigDecimal(n.toString())) : Optional.empty();
  }

  /**
   * The user the key belongs to ({@code user}), as the server describes it.
   *
   * @return the user's fields, when the server reports them
   */
  @SuppressWarnings("unchecked")
  public Optional<Map<String, Object>> user() {
    Object v = fields.get("user");
    return v instanceof Map<?, ?> m ? Optional.of((Map<String, Object>) m) : Optional.empty();
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
   * @return the server's word, when it gives one
   */
  public Optional<Boolean> authenticated() {
    for (String key : new String[] {"authenticated", "is_authenticated", "auth", "user"}) {
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
   * The server's version: {@code version}, or {@code server.version}.
   *
   * @return the version, when the server reports one
   */
  public Optional<String> version() {
    Object v = fields.get("version");
    if (v == null && fields.get("server") instanceof Map<?, ?> server) {
      v = server.get("version");
    }
    return Optional.ofNullable(v).map(String::valueOf);
  }
}
