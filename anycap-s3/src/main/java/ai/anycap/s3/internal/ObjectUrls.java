package ai.anycap.s3.internal;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.PartitionMetadata;

/**
 * The URL of an object: under a public base URL (a CDN) when there is one, path style under a
 * custom endpoint (MinIO, R2), else AWS's virtual-hosted style. Key segments are percent-encoded
 * (RFC 3986 unreserved characters kept), slashes kept.
 */
public final class ObjectUrls {

  private final String bucket;
  private final String base;
  private final boolean bucketInPath;

  /**
   * @param bucket the bucket
   * @param region the client's region, or null if it has none
   * @param endpoint the client's endpoint override, or null
   * @param publicBaseUrl the public base URL, or null
   */
  public ObjectUrls(String bucket, Region region, URI endpoint, URI publicBaseUrl) {
    this.bucket = bucket;
    if (publicBaseUrl != null) {
      base = withoutTrailingSlash(publicBaseUrl.toString());
      bucketInPath = false;
    } else if (endpoint != null) {
      base = withoutTrailingSlash(endpoint.toString());
      bucketInPath = true;
    } else {
      String r = region == null ? Region.US_EAST_1.id() : region.id();
      String host = "s3." + r + "." + dnsSuffix(region);
      // A wildcard certificate covers one label: "a.b.s3..." fails TLS, so dotted buckets go in the path.
      bucketInPath = bucket.contains(".");
      base = bucketInPath ? "https://" + host : "https://" + bucket + "." + host;
    }
  }

  public URI urlFor(String key) {
    String path = (bucketInPath ? "/" + encodeSegment(bucket) : "") + "/" + encodeKey(key);
    return URI.create(base + path);
  }

  private static String dnsSuffix(Region region) {
    // PartitionMetadata matches unknown regions by pattern and falls back to the aws partition.
    return region == null ? "amazonaws.com" : PartitionMetadata.of(region).dnsSuffix();
  }

  private static String withoutTrailingSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /** Each {@code /}-separated segment percent-encoded; empty segments kept. */
  static String encodeKey(String key) {
    String[] segments = key.split("/", -1);
    StringBuilder out = new StringBuilder(key.length() + 16);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        out.append('/');
      }
      out.append(encodeSegment(segments[i]));
    }
    return out.toString();
  }

  private static String encodeSegment(String segment) {
    StringBuilder out = new StringBuilder(segment.length());
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
