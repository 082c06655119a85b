package ai.anycap.testkit.internal;

import ai.anycap.testkit.internal.ImageRenderer.RenderKey;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues the pre-signed artifact URLs that generate answers with, and checks them when they are
 * fetched: {@code {base}/artifacts/{id}.png?expires={epoch seconds}&sig={hmac}}. The signature
 * covers id and expiry, so an edited expiry is refused like an expired one (403). Remembers the
 * most recent {@value #MAX_ARTIFACTS} artifacts; older ones answer 404.
 */
public final class ArtifactStore {

  static final int MAX_ARTIFACTS = 200_000;
  public static final String PATH_PREFIX = "/artifacts/";

  /** What a fetch of an artifact path finds. */
  public sealed interface Lookup permits Found, Missing, Forbidden {}

  public record Found(RenderKey key) implements Lookup {}

  public record Missing() implements Lookup {}

  public record Forbidden(String reason) implements Lookup {}

  private final String base;
  private final Clock clock;
  private final Duration ttl;
  private final ThreadLocal<Mac> mac;
  private final AtomicLong sequence = new AtomicLong();
  private final Map<String, RenderKey> artifacts =
      new LinkedHashMap<>(1024) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RenderKey> eldest) {
          return size() > MAX_ARTIFACTS;
        }
      };

  public ArtifactStore(URI baseUri, Clock clock, Duration ttl, byte[] signingKey) {
    this.base = baseUri.toString().replaceAll("/+$", "");
    this.clock = clock;
    this.ttl = ttl;
    byte[] key = signingKey.clone();
    this.mac =
        ThreadLocal.withInitial(
            () -> {
              try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(new SecretKeySpec(key, "HmacSHA256"));
                return m;
              } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available", e);
              }
            });
  }

  /** Stores a new artifact showing {@code key} and returns its signed URL. */
  public String issue(RenderKey key) {
    String id = "img_" + Long.toHexString(sequence.incrementAndGet() | 0x1_0000_0000L).substring(1);
    long expires = clock.instant().plus(ttl).getEpochSecond();
    synchronized (artifacts) {
      artifacts.put(id, key);
    }
    return base + PATH_PREFIX + id + ".png?expires=" + expires + "&sig=" + sign(id, expires);
  }

  /** Checks a fetch of {@code path} (the part after {@link #PATH_PREFIX}) with its raw query. */
  public Lookup lookup(String file, String rawQuery) {
    if (!file.endsWith(".png")) {
      return new Missing();
    }
    String id = file.substring(0, file.length() - 4);
    RenderKey key;
    synchronized (artifacts) {
      key = artifacts.get(id);
    }
    if (key == null) {
      return new Missing();
    }
    String expires = param(rawQuery, "expires");
    String sig = param(rawQuery, "sig");
    if (expires == null || sig == null) {
      return new Forbidden("the URL is not signed");
    }
    long exp;
    try {
      exp = Long.parseLong(expires);
    } catch (NumberFormatException e) {
      return new Forbidden("bad expiry");
    }
    if (!constantTimeEquals(sign(id, exp), sig)) {
      return new Forbidden("signature does not match");
    }
    if (clock.instant().getEpochSecond() >= exp) {
      return new Forbidden("the URL expired");
    }
    return new Found(key);
  }

  private String sign(String id, long expires) {
    byte[] d = mac.get().doFinal((id + "." + expires).getBytes(StandardCharsets.US_ASCII));
    StringBuilder s = new StringBuilder(32);
    for (int i = 0; i < 16; i++) {
      s.append(Character.forDigit((d[i] >> 4) & 0xF, 16)).append(Character.forDigit(d[i] & 0xF, 16));
    }
    return s.toString();
  }

  private static String param(String rawQuery, String name) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return pair.substring(eq + 1);
      }
    }
    return null;
  }

  private static boolean constantTimeEquals(String a, String b) {
    return java.security.MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }
}
