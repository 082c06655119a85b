package ai.anycap.redis;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import redis.embedded.core.ExecutableProvider;

/**
 * A real redis-server for tests, on a free loopback port: the one on the PATH if there is one,
 * else the binary embedded-redis ships. Persistence is an append-only file synced on every write,
 * in a directory of the test's, so {@link #kill()} then {@link #start()} brings the same data back
 * on the same port, as a crashed and restarted Redis would.
 */
final class LocalRedis implements AutoCloseable {

  private static final String READY = "Ready to accept connections";

  private final File executable;
  private final Path dir;
  private final int port;
  private Process process;

  private LocalRedis(File executable, Path dir, int port) {
    this.executable = executable;
    this.dir = dir;
    this.port = port;
    // No redis-server outlives the test JVM, whatever ends it.
    Runtime.getRuntime().addShutdownHook(new Thread(this::kill, "stop-redis-" + port));
  }

  /** Starts a server keeping its data in {@code dir}. */
  static LocalRedis start(Path dir) {
    LocalRedis redis = new LocalRedis(executable(), dir, freePort());
    redis.start();
    return redis;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  /** Starts the server (again), returning once it accepts connections. */
  synchronized void start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("already running");
    }
    try {
      Path conf = dir.resolve("redis.conf");
      Files.writeString(conf, String.join("\n",
          "port " + port,
          "bind 127.0.0.1",
          "protected-mode yes",
          "daemonize no",
          "dir " + dir.toAbsolutePath(),
          "appendonly yes",
          "appendfsync always",
          "save \"\"",
          "logfile \"\"",
          ""));
      process = new ProcessBuilder(executable.getAbsolutePath(), conf.toAbsolutePath().toString())
          .redirectErrorStream(true)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    List<String> output = new CopyOnWriteArrayList<>();
    Process p = process;
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          output.add(line);
          if (line.contains(READY)) {
            ready.complete(null);
          }
        }
      } catch (IOException e) {
        // the process ended
      }
      ready.completeExceptionally(new IllegalStateException("redis-server exited: " + String.join("\n", output)));
    }, "redis-server-" + port);
    pump.setDaemon(true);
    pump.start();
    try {
      ready.get(20, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      p.destroyForcibly();
      throw new IllegalStateException("redis-server did not start in 20 s: " + String.join("\n", output));
    } catch (Exception e) {
      throw new IllegalStateException("redis-server did not start", e);
    }
  }

  /** Kills the server at once (SIGKILL), as a crash would; the data stays in its directory. */
  synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    kill();
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
