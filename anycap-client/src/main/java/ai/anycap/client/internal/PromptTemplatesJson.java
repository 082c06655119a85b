package ai.anycap.client.internal;

import ai.anycap.client.PromptTemplate;
import ai.anycap.client.PromptTemplateException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the templates JSON format documented on {@link ai.anycap.client.PromptTemplates}. Every
 * error is prefixed with the source, so a failure in one of several files is easy to place.
 */
public final class PromptTemplatesJson {

  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          // a repeated name would otherwise silently replace the earlier template
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static final Set<String> KEYS = Set.of("prompt", "text", "model", "parameters", "params");
  private static final String ALLOWED_KEYS = "prompt (or text), model, parameters (or params)";

  private PromptTemplatesJson() {}

  /** Templates in file order; errors name the file. */
  public static List<PromptTemplate> read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new PromptTemplateException(
          "templates file not found: " + file.toAbsolutePath(), null, null, e);
    } catch (IOException e) {
      throw new PromptTemplateException(
          "cannot read templates file " + file + ": " + e, null, null, e);
    }
    try {
      return templates(MAPPER.readTree(bytes), file.toString());
    } catch (IOException e) {
      throw syntaxError(e, file.toString());
    }
  }

  /** Templates in document order; errors name {@code source}. */
  public static List<PromptTemplate> read(String json, String source) {
    try {
      return templates(MAPPER.readTree(json), source);
    } catch (JsonProcessingException e) {
      throw syntaxError(e, source);
    }
  }

  private static PromptTemplateException syntaxError(IOException e, String source) {
    String where = "";
    String detail = e.getMessage();
    if (e instanceof JsonProcessingException jpe) {
      detail = jpe.getOriginalMessage();
      JsonLocation location = jpe.getLocation();
      if (location != null && location.getLineNr() > 0) {
        where = " at line " + location.getLineNr() + ", column " + location.getColumnNr();
      }
    }
    return new PromptTemplateException(
        source + ": invalid JSON" + where + ": " + detail, null, null, e);
  }

  private static List<PromptTemplate> templates(JsonNode root, String source) {
    if (root == null || root.isMissingNode()) {
      throw new PromptTemplateException(
          source + ": no content; expected a JSON object mapping template names to templates",
          null,
          null);
    }
    if (!root.isObject()) {
      throw new PromptTemplateException(
          source
              + ": expected a JSON object mapping template names to templates, found "
              + type(root),
          null,
          null);
    }
    List<PromptTemplate> templates = new ArrayList<>();
    for (Map.Entry<String, JsonNode> entry : root.properties()) {
      PromptTemplate.Builder builder = builder(entry.getKey(), entry.getValue(), source);
      try {
        templates.add(builder.build());
      } catch (PromptTemplateException e) {
        // PromptTemplate knows the template but not the file
        throw new PromptTemplateException(
            source + ": " + e.getMessage(), e.templateName().orElse(null), e.key().orElse(null), e);
      }
    }
    return templates;
  }

  private static PromptTemplate.Builder builder(String name, JsonNode value, String source) {
    PromptTemplate.Builder builder = PromptTemplate.builder().name(name);
    if (value.isTextual()) {
      return builder.text(value.textValue());
    }
    if (!value.isObject()) {
      throw problem(source, name, "must be a string or an object, found " + type(value));
    }
    for (Map.Entry<String, JsonNode> field : value.properties()) {
      if (!KEYS.contains(field.getKey())) {
        throw problem(
            source, name, "has unknown key '" + field.getKey() + "'; allowed: " + ALLOWED_KEYS);
      }
    }
    JsonNode text = alias(value, "prompt", "text", source, name);
    if (text == null) {
      throw problem(source, name, "has no \"prompt\"");
    }
    builder.text(string(text, "prompt", source, name));
    JsonNode model = value.get("model");
    if (model != null) {
      builder.model(string(model, "model", source, name));
    }
    JsonNode parameters = alias(value, "parameters", "params", source, name);
    if (parameters != null) {
      if (!parameters.isObject()) {
        throw problem(source, name, "\"parameters\" must be an object, found " + type(parameters));
      }
      for (Map.Entry<String, JsonNode> parameter : parameters.properties()) {
        if (parameter.getValue().isNull()) {
          throw problem(source, name, "parameter '" + parameter.getKey() + "' is null");
        }
        builder.parameter(
            parameter.getKey(), MAPPER.convertValue(parameter.getValue(), Object.class));
      }
    }
    return builder;
  }

  /** The value under {@code key} or its alias; both present is ambiguous, so an error. */
  private static JsonNode alias(
      JsonNode object, String key, String alias, String source, String name) {
    JsonNode main = object.get(key);
    JsonNode other = object.get(alias);
    if (main != null && other != null) {
      throw problem(
          source, name, "has both \"" + key + "\" and its alias \"" + alias + "\"; keep one");
    }
    return main != null ? main : other;
  }

  private static String string(JsonNode node, String key, String source, String name) {
    if (!node.isTextual()) {
      throw problem(source, name, "\"" + key + "\" must be a string, found " + type(node));
    }
    return node.textValue();
  }

  private static PromptTemplateException problem(String source, String name, String what) {
    return new PromptTemplateException(source + ": template '" + name + "' " + what, name, null);
  }

  private static String type(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
