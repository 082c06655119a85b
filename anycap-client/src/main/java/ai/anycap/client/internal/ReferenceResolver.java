package ai.anycap.client.internal;

import ai.anycap.client.ImageRef;
import ai.anycap.client.InvalidRequestException;
import ai.anycap.client.RequestOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a request body holding {@link ImageRef}s into the body sent: URLs and {@code anycap://}
 * references as they are, local files uploaded (distinct files at once) and replaced by their
 * {@code object_url}.
 *
 * <p>An upload taken from the client's cache may name an object the server has since dropped.
 * When a call answers 400 or 422 and the error names the object URL of such an upload (in its
 * message, hint or details), or names the {@code images} field without a URL, those uploads are
 * forgotten, the files uploaded again and the call sent once more, once. A refused request was
 * not billed, so sending it again costs nothing.
 */
public final class ReferenceResolver {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.client");

  private final ReferenceUploader uploader;

  public ReferenceResolver(ReferenceUploader uploader) {
    this.uploader = uploader;
  }

  /** A resolved body, and the uploads in it that came from the cache: object URL to SHA-256. */
  record Resolved(Map<String, Object> body, Map<String, String> cached) {}

  /** Resolves {@code body} and sends it with {@code call}, refreshing stale uploads once. */
  public <T> CompletableFuture<T> send(
      Map<String, Object> body,
      RequestOptions options,
      Function<Map<String, Object>, CompletableFuture<T>> call) {
    return resolve(body, options).thenCompose(first -> call.apply(first.body())
        .exceptionallyCompose(failure -> {
          Set<String> stale = staleUploads(ApiTransport.unwrap(failure), first.cached());
          if (stale.isEmpty()) {
            return CompletableFuture.failedFuture(failure);
          }
          log.debug("the server refused {} cached upload(s); uploading again", stale.size());
          stale.forEach(uploader::forget);
          return resolve(body, options).thenCompose(second -> call.apply(second.body()));
        }));
  }

  CompletableFuture<Resolved> resolve(Map<String, Object> body, RequestOptions options) {
    Set<Path> files = new HashSet<>();
    collect(body, files);
    if (files.isEmpty()) {
      return CompletableFuture.completedFuture(new Resolved(replace(body, Map.of()), Map.of()));
    }
    Map<Path, CompletableFuture<ReferenceUploader.Upload>> uploads = new HashMap<>();
    files.forEach(f -> uploads.put(f, uploader.upload(f, options)));
    return CompletableFuture.allOf(uploads.values().toArray(CompletableFuture[]::new))
        .thenApply(v -> {
          Map<Path, String> urls = new HashMap<>();
          Map<String, String> cached = new HashMap<>();
          uploads.forEach((file, f) -> {
            ReferenceUploader.Upload u = f.join();
            String url = u.image().objectUrl().toString();
            urls.put(file, url);
            if (u.fromCache()) {
              cached.put(url, u.image().sha256());
            }
          });
          return new Resolved(replace(body, urls), cached);
        });
  }

  private static void collect(Object value, Set<Path> files) {
    if (value instanceof ImageRef.LocalFile f) {
      files.add(f.path());
    } else if (value instanceof Map<?, ?> m) {
      m.values().forEach(v -> collect(v, files));
    } else if (value instanceof List<?> l) {
      l.forEach(v -> collect(v, files));
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T replace(T value, Map<Path, String> urls) {
    Object out;
    if (value instanceof ImageRef.LocalFile f) {
      out = urls.get(f.path());
    } else if (value instanceof ImageRef ref) {
      out = ref.uri().toString();
    } else if (value instanceof Map<?, ?> m) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      m.forEach((k, v) -> copy.put(k, replace(v, urls)));
      out = copy;
    } else if (value instanceof List<?> l) {
      List<Object> copy = new ArrayList<>(l.size());
      l.forEach(v -> copy.add(replace(v, urls)));
      out = copy;
    } else {
      out = value;
    }
    return (T) out;
  }

  /** The SHA-256 of each cached upload the refusal names; empty when it is not about them. */
  static Set<String> staleUploads(Throwable failure, Map<String, String> cached) {
    if (cached.isEmpty() || !(failure instanceof InvalidRequestException e)) {
      return Set.of();
    }
    String said = e.getMessage() + " " + e.hint().orElse("") + " " + e.details();
    Set<String> named = new HashSet<>();
    cached.forEach((url, sha) -> {
      if (said.contains(url)) {
        named.add(sha);
      }
    });
    if (named.isEmpty() && namesImagesField(e.details())) {
      named.addAll(cached.values());
    }
    return named;
  }

  private static boolean namesImagesField(List<Map<String, Object>> details) {
    for (Map<String, Object> d : details) {
      for (String key : new String[] {"field", "param", "parameter"}) {
        Object v = d.get(key);
        if (v instanceof String s && (s.equals("images") || s.startsWith("images["))) {
          return true;
        }
      }
    }
    return false;
  }
}
