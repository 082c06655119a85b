package ai.anycap.sinks.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A URL or body template for a sink: {@code {name}} is a placeholder when {@code name} is made of
 * letters, digits, {@code _}, {@code .} and {@code -}; every other brace is literal text. So a JSON
 * body reads as JSON ({@code {"image_url":"{s3.url}"}}), with no doubled braces, unlike a prompt
 * template. Values are escaped by the caller's escaper and never scanned again. Immutable.
 */
public final class SinkTemplate {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_.-]+)}");

  /** No value for a placeholder. */
  public static final class MissingValue extends RuntimeException {
    private final String placeholder;

    MissingValue(String placeholder) {
      super("no value for {" + placeholder + "}", null, false, false);
      this.placeholder = placeholder;
    }

    public String placeholder() {
      return placeholder;
    }
  }

  private record Part(String literal, String placeholder) {}

  private final String text;
  private final List<Part> parts;
  private final List<String> placeholders;

  private SinkTemplate(String text) {
    this.text = text;
    List<Part> p = new ArrayList<>();
    LinkedHashSet<String> names = new LinkedHashSet<>();
    Matcher m = PLACEHOLDER.matcher(text);
    int at = 0;
    while (m.find()) {
      if (m.start() > at) {
        p.add(new Part(text.substring(at, m.start()), null));
      }
      p.add(new Part(null, m.group(1)));
      names.add(m.group(1));
      at = m.end();
    }
    if (at < text.length()) {
      p.add(new Part(text.substring(at), null));
    }
    this.parts = List.copyOf(p);
    this.placeholders = List.copyOf(names);
  }

  public static SinkTemplate parse(String text) {
    return new SinkTemplate(Objects.requireNonNull(text, "template"));
  }

  /** The placeholder names, in order of first use. */
  public List<String> placeholders() {
    return placeholders;
  }

  /** The literal text before the first placeholder. */
  public String prefix() {
    return parts.isEmpty() || parts.get(0).literal() == null ? "" : parts.get(0).literal();
  }

  /**
   * Fills the placeholders with {@code values} (null meaning none), each passed through {@code
   * escape}.
   *
   * @throws MissingValue naming the first placeholder without a value
   */
  public String render(Function<String, String> values, UnaryOperator<String> escape) {
    StringBuilder out = new StringBuilder(text.length() + 64);
    for (Part part : parts) {
      if (part.literal() != null) {
        out.append(part.literal());
      } else {
        String v = values.apply(part.placeholder());
        if (v == null) {
          throw new MissingValue(part.placeholder());
        }
        out.append(escape.apply(v));
      }
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return text;
  }
}
