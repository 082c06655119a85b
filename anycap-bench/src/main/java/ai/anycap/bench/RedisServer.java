package ai.anycap.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import redis.embedded.core.ExecutableProvider;

/**
 * A redis-server of the benchmark's own on a free loopback port, for the shared-quota row: the
 * one on the PATH if there is one, else the binary embedded-redis ships. No persistence: the row
 * needs the workers' queue and pace, not their survival. Closing it stops the process.
 */
final class RedisServer implements AutoCloseable {

  private static final String READY = "Ready to accept connections";

  private final Process process;
  private final int port;

  private RedisServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static RedisServer start() {
    int port = freePort();
    ProcessBuilder pb = new ProcessBuilder(executable().getAbsolutePath(), "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no").redirectErrorStream(true);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis-server: " + pb.command(), e);
    }
    CompletableFuture<Boolean> ready = ProcessLines.watch(p, "redis-server", line -> line.contains(READY) ? true : null,
        line -> {});
    try {
      ready.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IllegalStateException("redis-server did not start: " + e.getMessage(), e);
    }
    Progress.say("   redis-server: pid " + p.pid() + " on port " + port);
    return new RedisServer(p, port);
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static File executable() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(File.pathSeparator)) {
        File f = new File(d, "redis-server");
        if (f.isFile() && f.canExecute()) {
          return f;
        }
      }
    }
    try {
      return ExecutableProvider.newJarResourceProvider().get();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract the embedded redis-server", e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
