package ai.anycap.client.internal;

import ai.anycap.client.PromptTemplateException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits template text into literal runs and placeholder names. Hand-written rather than a regex so
 * every syntax error can name its exact index and cause.
 */
public final class TemplateScanner {

  private static final String NAME_RULE =
      "placeholder names may contain only letters, digits, '_', '-' and '.'";

  /**
   * Scanned text: {@code literals.size() == occurrences.size() + 1}, and the rendered text is
   * {@code literals[0] + value(occurrences[0]) + literals[1] + ...}. Doubled braces are already
   * collapsed in the literals, so rendering never looks at braces again.
   */
  public record Scanned(List<String> literals, List<String> occurrences) {
    public Scanned {
      literals = List.copyOf(literals);
      occurrences = List.copyOf(occurrences);
    }
  }

  private TemplateScanner() {}

  /** Scans {@code text}, failing on the first syntax error with a message naming the template. */
  public static Scanned scan(String templateName, String text) {
    List<String> literals = new ArrayList<>();
    List<String> occurrences = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      boolean doubled = i + 1 < n && text.charAt(i + 1) == c;
      if ((c == '{' || c == '}') && doubled) {
        literal.append(c);
        i += 2;
      } else if (c == '}') {
        throw error(templateName, text, i, "an unmatched '}'", "; write '}}' for a literal brace");
      } else if (c == '{') {
        int end = placeholderEnd(templateName, text, i);
        literals.add(literal.toString());
        literal.setLength(0);
        occurrences.add(text.substring(i + 1, end));
        i = end + 1;
      } else {
        literal.append(c);
        i++;
      }
    }
    literals.add(literal.toString());
    return new Scanned(literals, occurrences);
  }

  /** Index of the '}' closing the placeholder opened at {@code open}. */
  private static int placeholderEnd(String templateName, String text, int open) {
    // Find the extent first, so "{topic, editorial" is reported as unclosed, not as a bad ','.
    int end = open + 1;
    while (end < text.length() && text.charAt(end) != '}' && text.charAt(end) != '{') {
      end++;
    }
    if (end == text.length() || text.charAt(end) == '{') {
      throw error(templateName, text, open, "an unclosed '{'", "; write '{{' for a literal brace");
    }
    if (end == open + 1) {
      throw error(templateName, text, open, "an empty placeholder '{}'", "; " + NAME_RULE);
    }
    for (int j = open + 1; j < end; ) {
      int cp = text.codePointAt(j);
      if (!Character.isLetterOrDigit(cp) && cp != '_' && cp != '-' && cp != '.') {
        String what =
            Character.isWhitespace(cp)
                ? "whitespace"
                : "an illegal character '" + Character.toString(cp) + "'";
        throw error(templateName, text, j, what, "; " + NAME_RULE);
      }
      j += Character.charCount(cp);
    }
    return end;
  }

  private static PromptTemplateException error(
      String templateName, String text, int index, String what, String advice) {
    return new PromptTemplateException(
        "template '"
            + templateName
            + "' has "
            + what
            + " at index "
            + index
            + " (\""
            + excerpt(text, index)
            + "\")"
            + advice,
        templateName,
        null);
  }

  /** A short one-line window around {@code index}, so long templates stay readable. */
  private static String excerpt(String text, int index) {
    int from = Math.max(0, index - 20);
    int to = Math.min(text.length(), index + 20);
    String window = text.substring(from, to).replace("\n", "\\n").replace("\r", "\\r");
    return (from > 0 ? "..." : "") + window + (to < text.length() ? "..." : "");
  }
}
