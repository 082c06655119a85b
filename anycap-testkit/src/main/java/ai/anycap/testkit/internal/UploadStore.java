package ai.anycap.testkit.internal;

import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The files clients have uploaded: presigned sessions waiting for their bytes, and stored objects
 * by file id and by SHA-256. A presign for bytes already stored is answered {@code reused}. The
 * most recent {@value #MAX_ENTRIES} sessions and objects are kept; {@link #clear()} forgets every
 * object, as storage that expired them would, so that their object URLs are refused.
 */
public final class UploadStore {

  static final int MAX_ENTRIES = 10_000;
  public static final String UPLOAD_PATH = "/uploads/";
  public static final String OBJECT_PATH = "/objects/";
  public static final String UPLOAD_REFERENCE = "anycap://upload/";

  /** A presigned upload waiting for its bytes. */
  public record Session(
      String id, String fileId, String fileName, String contentType, long length, String sha256, String token) {}

  /** A stored file. */
  public record StoredObject(String fileId, String fileName, String contentType, byte[] bytes, String sha256) {}

  /** A presign's answer: a new session, or the stored object of the same bytes. */
  public record Presigned(Session session, StoredObject reused) {}

  private final String base;
  private final SplittableRandom tokens;
  private final AtomicLong sequence = new AtomicLong();
  private final Map<String, Session> sessions = lru();
  private final Map<String, StoredObject> objects = lru();
  private final Map<String, String> fileBySha = lru();

  public UploadStore(URI baseUri, long seed) {
    this.base = baseUri.toString().replaceAll("/+$", "");
    this.tokens = new SplittableRandom(seed);
  }

  private static <V> Map<String, V> lru() {
    return new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_ENTRIES;
      }
    };
  }

  public synchronized Presigned presign(String fileName, String contentType, long length, String sha256) {
    String known = fileBySha.get(sha256);
    StoredObject stored = known == null ? null : objects.get(known);
    if (stored != null && stored.bytes().length == length) {
      return new Presigned(null, stored);
    }
    long n = sequence.incrementAndGet();
    String token = Long.toHexString(tokens.nextLong()) + Long.toHexString(tokens.nextLong());
    Session s = new Session("us_" + n, "file_" + n, fileName, contentType, length, sha256, token);
    sessions.put(s.id(), s);
    return new Presigned(s, null);
  }

  public String uploadUrl(Session s) {
    return base + UPLOAD_PATH + s.id() + "?token=" + s.token();
  }

  public String objectUrl(String fileId) {
    return base + OBJECT_PATH + fileId;
  }

  public synchronized Session session(String id) {
    return sessions.get(id);
  }

  /** Stores a session's checked bytes under its file id. */
  public synchronized void store(Session s, byte[] bytes) {
    objects.put(s.fileId(), new StoredObject(s.fileId(), s.fileName(), s.contentType(), bytes, s.sha256()));
    fileBySha.put(s.sha256(), s.fileId());
  }

  public synchronized StoredObject object(String fileId) {
    return objects.get(fileId);
  }

  /** Forgets every session and object. */
  public synchronized void clear() {
    sessions.clear();
    objects.clear();
    fileBySha.clear();
  }

  /**
   * The stored object a reference names ({@code anycap://upload/<id>} or this simulator's object
   * URL), or null when it names none.
   */
  public StoredObject resolve(String reference) {
    String id = fileId(reference);
    return id == null ? null : object(id);
  }

  /**
   * Why a reference image in a request is not accepted, or null when it is: this simulator's
   * uploads must exist; other http(s) URLs are taken on trust.
   */
  public String refusal(String reference) {
    String id = fileId(reference);
    if (id != null) {
      return object(id) != null ? null
          : "upload " + reference + " is unknown or has expired; upload the file again";
    }
    String lower = reference.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      return null;
    }
    return "it is not an http(s) URL or an anycap://upload/ reference (upload local files first)";
  }

  private String fileId(String reference) {
    String rest = null;
    if (reference.startsWith(UPLOAD_REFERENCE)) {
      rest = reference.substring(UPLOAD_REFERENCE.length());
    } else if (reference.startsWith(base + OBJECT_PATH)) {
      rest = reference.substring((base + OBJECT_PATH).length());
    }
    if (rest == null) {
      return null;
    }
    int cut = rest.indexOf('?');
    return cut < 0 ? rest : rest.substring(0, cut);
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
