package ai.anycap.client.internal;

import ai.anycap.client.UploadedImage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The uploads a client has made, by SHA-256 of the bytes: one future per key, so that callers
 * who want the same file at once share one presign and one {@code PUT}. Bounded, least recently
 * used first out; a failed upload leaves no entry. Also remembers the hash of each file by size
 * and modification time, so that a file used again is not read again.
 */
final class UploadCache {

  /** A cache entry, and whether this caller created it (and so must fill it). */
  record Claim(CompletableFuture<UploadedImage> future, boolean created) {}

  private final Map<String, CompletableFuture<UploadedImage>> bySha;
  private final Map<LocalImage.Stamp, String> shaByStamp;

  UploadCache(int capacity) {
    this.bySha = lru(capacity);
    this.shaByStamp = lru(capacity);
  }

  private static <K, V> Map<K, V> lru(int capacity) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
      }
    };
  }

  synchronized Claim claim(String sha256) {
    CompletableFuture<UploadedImage> f = bySha.get(sha256);
    if (f != null && !f.isCompletedExceptionally()) {
      return new Claim(f, false);
    }
    CompletableFuture<UploadedImage> fresh = new CompletableFuture<>();
    bySha.put(sha256, fresh);
    return new Claim(fresh, true);
  }

  /** The completed, successful upload of these bytes, or null. */
  synchronized UploadedImage done(String sha256) {
    CompletableFuture<UploadedImage> f = bySha.get(sha256);
    return f != null && f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
  }

  /** Removes the entry, when it is still {@code future}. */
  synchronized void remove(String sha256, CompletableFuture<UploadedImage> future) {
    bySha.remove(sha256, future);
  }

  /** Forgets an upload whose object the server no longer accepts. */
  synchronized void forget(String sha256) {
    bySha.remove(sha256);
  }

  synchronized String sha(LocalImage.Stamp stamp) {
    return shaByStamp.get(stamp);
  }

  synchronized void remember(LocalImage.Stamp stamp, String sha256) {
    shaByStamp.put(stamp, sha256);
  }
}
