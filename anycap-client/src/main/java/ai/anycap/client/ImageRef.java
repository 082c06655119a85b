package ai.anycap.client;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * A reference image: a local file, a URL the server fetches, or an {@code anycap://upload/<id>}
 * reference to a file uploaded before. Usable for {@code images} ({@link
 * ImageRequest.Builder#image(ImageRef)}) and for any parameter whose schema says {@code "format":
 * "file-or-url"} ({@link ImageRequest.Builder#param(String, Object)}).
 *
 * <pre>{@code
 * ImageRef.of("photos/mug.png");                  // a local file: uploaded before the call
 * ImageRef.of("https://example.com/mug.jpg");     // sent as it is
 * ImageRef.of("anycap://upload/file_1");          // sent as it is
 * }</pre>
 *
 * <p>A local file is uploaded when a request that names it is sent (presign, then a {@code PUT}
 * of its bytes), once per client for the same bytes; its {@code object_url} goes into the request.
 * Immutable.
 */
public sealed interface ImageRef permits ImageRef.LocalFile, ImageRef.Url, ImageRef.Upload {

  /** The scheme and host prefix of upload references, {@code anycap://upload/}. */
  String UPLOAD_PREFIX = "anycap://upload/";

  /**
   * Reads a reference as the CLI takes one: an {@code http(s)://} URL, an {@code
   * anycap://upload/<id>} reference, a {@code file:} URI, or else a local path.
   *
   * @param value the reference
   * @return the reference it names
   * @throws IllegalArgumentException when it is blank, a malformed URL or not a valid path
   */
  static ImageRef of(String value) {
    Objects.requireNonNull(value, "value");
    String v = value.strip();
    if (v.isEmpty()) {
      throw new IllegalArgumentException("image reference must not be blank");
    }
    String lower = v.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://")
        || lower.startsWith("https://")
        || lower.startsWith(UPLOAD_PREFIX)
        || lower.startsWith("file:")) {
      try {
        return of(URI.create(v));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("image reference '" + v + "' is not a valid URL: " + e.getMessage(), e);
      }
    }
    try {
      return file(Path.of(v));
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("image reference '" + v + "' is not a valid path: " + e.getMessage(), e);
    }
  }

  /**
   * The reference a URI names: {@code http(s)} and {@code anycap://upload/} ones as they are,
   * {@code file:} ones as local files.
   *
   * @param uri the URI
   * @return the reference it names
   * @throws IllegalArgumentException for any other scheme
   */
  static ImageRef of(URI uri) {
    Objects.requireNonNull(uri, "uri");
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    switch (scheme) {
      case "http":
      case "https":
        return new Url(uri);
      case "anycap":
        return new Upload(uri);
      case "file":
        return file(Path.of(uri));
      default:
        throw new IllegalArgumentException(
            "reference image must be an http(s) URL, an anycap://upload/ reference or a local"
                + " file, got scheme '" + uri.getScheme() + "'");
    }
  }

  /**
   * A local file.
   *
   * @param path the file; made absolute
   * @return the reference
   */
  static ImageRef file(Path path) {
    return new LocalFile(path);
  }

  /**
   * The reference as a request body shows it before sending: the URL, the {@code anycap://}
   * reference, or a local file's {@code file:} URI (replaced by its {@code object_url} when sent).
   *
   * @return the reference as a URI
   */
  URI uri();

  /**
   * Whether this is a local file, which is uploaded before the request that names it.
   *
   * @return true for a {@link LocalFile}
   */
  default boolean isLocal() {
    return this instanceof LocalFile;
  }

  /**
   * A file on this machine, uploaded before use.
   *
   * @param path the file, absolute and normalised
   */
  record LocalFile(Path path) implements ImageRef {
    /**
     * @param path the file; made absolute and normalised
     */
    public LocalFile {
      path = Objects.requireNonNull(path, "path").toAbsolutePath().normalize();
    }

    @Override
    public URI uri() {
      return path.toUri();
    }

    @Override
    public String toString() {
      return path.toString();
    }
  }

  /**
   * An {@code http(s)} URL that the server fetches itself.
   *
   * @param url the URL
   */
  record Url(URI url) implements ImageRef {
    /**
     * @param url an absolute http(s) URL with a host
     * @throws IllegalArgumentException for another scheme or no host
     */
    public Url {
      Objects.requireNonNull(url, "url");
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
        throw new IllegalArgumentException("reference image must be an http(s) URL with a host, got " + url);
      }
    }

    @Override
    public URI uri() {
      return url;
    }

    @Override
    public String toString() {
      return url.toString();
    }
  }

  /**
   * A file the server already holds, as {@code anycap://upload/<id>}.
   *
   * @param reference the reference
   */
  record Upload(URI reference) implements ImageRef {
    /**
     * @param reference an {@code anycap://upload/<id>} URI
     * @throws IllegalArgumentException when it is not one
     */
    public Upload {
      Objects.requireNonNull(reference, "reference");
      String s = reference.toString();
      if (!s.toLowerCase(Locale.ROOT).startsWith(UPLOAD_PREFIX) || s.length() == UPLOAD_PREFIX.length()) {
        throw new IllegalArgumentException("expected anycap://upload/<id>, got " + reference);
      }
    }

    /**
     * The upload's id, the part after {@code anycap://upload/}.
     *
     * @return the id
     */
    public String id() {
      return reference.toString().substring(UPLOAD_PREFIX.length());
    }

    @Override
    public URI uri() {
      return reference;
    }

    @Override
    public String toString() {
      return reference.toString();
    }
  }
}
