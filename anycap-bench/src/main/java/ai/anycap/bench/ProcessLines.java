package ai.anycap.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads a child process's output on a daemon thread, for the children that say when they are
 * ready (the simulator, redis-server, a worker): the future completes with the first line {@code
 * ready} makes something of, or fails when the process ends before one.
 */
final class ProcessLines {

  private ProcessLines() {}

  /**
   * @param ready what a line says: null for nothing (the line goes to {@code other})
   * @param other every line before the ready one, and those after it for which {@code ready} says
   *     nothing
   */
  static <T> CompletableFuture<T> watch(Process p, String name, Function<String, T> ready, Consumer<String> other) {
    CompletableFuture<T> seen = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          T t = seen.isDone() ? null : ready.apply(line);
          if (t != null) {
            seen.complete(t);
          } else {
            other.accept(line);
          }
        }
      } catch (IOException e) {
        // The process ended.
      }
      seen.completeExceptionally(new IllegalStateException(name + " exited before it was ready"));
    }, "anycap-bench-" + name + "-output");
    reader.setDaemon(true);
    reader.start();
    return seen;
  }
}
