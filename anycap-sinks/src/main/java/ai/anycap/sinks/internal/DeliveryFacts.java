package ai.anycap.sinks.internal;

import ai.anycap.pipeline.DeliveredImage;
import ai.anycap.pipeline.SinkReceipt;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a sink template can name about a delivered image: the job's values ({@code {sku}}), the
 * receipts of earlier sinks ({@code {s3.url}}, {@code {s3.location}}, {@code {s3.<attribute>}}),
 * and the image's own facts ({@code {id}}, {@code {output_key}}, {@code {model}}, {@code
 * {sha256}}, {@code {content_type}}, {@code {size}}). The image's facts win over a job value of the
 * same name, so {@code {model}} is always the model that made the image.
 */
public final class DeliveryFacts {

  private DeliveryFacts() {}

  public static final List<String> BUILT_INS = List.of("id", "output_key", "model", "sha256", "content_type", "size");

  public static Map<String, String> of(DeliveredImage image) {
    Map<String, String> facts = new LinkedHashMap<>(image.job().values());
    for (SinkReceipt r : image.receipts()) {
      // An attribute named url (an https URL beside an s3:// location) wins over the location.
      facts.put(r.sink() + ".url", r.location());
      r.attributes().forEach((k, v) -> facts.put(r.sink() + "." + k, v));
      facts.put(r.sink() + ".location", r.location());
    }
    facts.put("id", image.job().id());
    facts.put("output_key", image.job().outputKey());
    facts.put("model", image.model());
    facts.put("sha256", image.sha256());
    facts.put("content_type", image.contentType());
    facts.put("size", Long.toString(image.size()));
    return facts;
  }

  /** The names a template could have used, for the message about a missing one. */
  public static String available(DeliveredImage image) {
    List<String> names = new ArrayList<>(image.job().values().keySet());
    names.addAll(BUILT_INS);
    for (SinkReceipt r : image.receipts()) {
      names.add(r.sink() + ".url");
      names.add(r.sink() + ".location");
      r.attributes().keySet().forEach(k -> names.add(r.sink() + "." + k));
    }
    return names.stream().distinct().toList().toString();
  }

  /**
   * Percent-encodes everything but RFC 3986's unreserved characters, so that a value stays inside
   * its path segment (or query value): {@code a/b c} becomes {@code a%2Fb%20c}.
   */
  public static String encodePathSegment(String value) {
    if (value.equals(".") || value.equals("..")) {
      // A segment of dots would climb the URL's path once a server normalises it.
      return value.replace(".", "%2E");
    }
    StringBuilder out = new StringBuilder(value.length() + 16);
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      }
    }
    return out.toString();
  }

  /** Escapes a value for the inside of a JSON string (quotes, backslashes, control characters). */
  public static String escapeJson(String value) {
    return new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(value));
  }
}
