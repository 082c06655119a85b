package ai.anycap.client.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The SDK's own version, filtered into a resource at build time, for {@code User-Agent}. */
public final class SdkVersion {

  public static final String VALUE = load();

  private SdkVersion() {}

  private static String load() {
    try (InputStream in = SdkVersion.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown");
      return v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }

  public static String userAgent() {
    return "anycap-java/" + VALUE;
  }
}
