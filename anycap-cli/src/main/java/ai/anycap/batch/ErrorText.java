package ai.anycap.batch;

/**
 * A failure as people read it: the error code once, then the message. The client's messages
 * often carry the code too ({@code AnyCap API error 500 on POST /v1/image/generate
 * [IMAGE_INTERNAL_ERROR]: ...}); shown after {@code [IMAGE_INTERNAL_ERROR]}, it would say it twice.
 */
final class ErrorText {

  private ErrorText() {}

  /** {@code message} without the mentions of {@code code} that only repeat it. */
  static String withoutCode(String code, String message) {
    if (message == null) {
      return "";
    }
    if (code == null || code.isEmpty()) {
      return message;
    }
    String m = message.replace(" [" + code + "]", "").replace("[" + code + "] ", "");
    if (m.startsWith(code + ": ")) {
      m = m.substring(code.length() + 2);
    }
    return m;
  }
}
