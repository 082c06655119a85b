package ai.anycap.testkit;

/**
 * The form in which the simulator publishes a schema's {@code model_params}; the AnyCap API has
 * been seen to use both, and clients must read both.
 */
public enum SchemaForm {
  /** A flat map of name to spec: {@code {"prompt":{"type":"string","required":true},..}}. */
  FLAT,
  /**
   * A JSON-schema object: {@code {"type":"object","properties":{..},"required":[..]}}, with
   * {@code "format":"file-or-url"} on the items of {@code images}.
   */
  JSON_SCHEMA
}
