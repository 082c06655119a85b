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
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import redis.embedded.core.ExecutableProvider;

/**
 * A real redis-server for tests, on a free loopback port: the one on the PATH if there is one,
 * else the binary embedded-redis ships (6.2, which runs in cluster mode too). Persistence is an
 * append-only file synced on every write, in a directory of the test's, so {@link #kill()} then
 * {@link #start()} brings the same data back on the same port, as a crashed and restarted Redis
 * would. {@link #startCluster} starts one with {@code cluster-enabled yes}, a cluster of one node
 * that owns every hash slot: it refuses, as any cluster does, a command or script whose keys lie
 * in different slots (CROSSSLOT).
 */
public final class LocalRedis implements AutoCloseable {

  private static final String READY = "Ready to accept connections";
  private static final String CLUSTER_OK = "Cluster state changed: ok";

  private final File executable;
  private final Path dir;
  private final int port;
  private final boolean cluster;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> clusterOk = new CompletableFuture<>();
  private Process process;

  private LocalRedis(File executable, Path dir, int port, boolean cluster) {
    this.executable = executable;
    this.dir = dir;
    this.port = port;
    this.cluster = cluster;
    // No redis-server outlives the test JVM, whatever ends it.
    Runtime.getRuntime().addShutdownHook(new Thread(this::kill, "stop-redis-" + port));
  }

  /** Starts a server keeping its data in {@code dir}. */
  public static LocalRedis start(Path dir) {
    LocalRedis redis = new LocalRedis(executable(), dir, freePort(), false);
    redis.start();
    return redis;
  }

  /**
   * Starts a server in cluster mode keeping its data in {@code dir}, gives it every hash slot
   * (CLUSTER ADDSLOTS 0 .. 16383: ADDSLOTSRANGE needs Redis 7), and returns once it says the
   * cluster is ok.
   */
  public static LocalRedis startCluster(Path dir) {
    LocalRedis redis = new LocalRedis(executable(), dir, freePort(), true);
    redis.start();
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      int[] slots = new int[16384];
      for (int i = 0; i < slots.length; i++) {
        slots[i] = i;
      }
      c.sync().clusterAddSlots(slots);
    } finally {
      client.shutdown();
    }
    try {
      redis.clusterOk.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      redis.kill();
      throw new IllegalStateException("the cluster node did not say its state is ok: " + String.join("\n", redis.output), e);
    }
    return redis;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Starts the server (again), returning once it accepts connections. */
  public synchronized void start() {
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
          cluster ? "cluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout 5000" : "",
          ""));
      process = new ProcessBuilder(executable.getAbsolutePath(), conf.toAbsolutePath().toString())
          .redirectErrorStream(true)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Process p = process;
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          output.add(line);
          if (line.contains(READY)) {
            ready.complete(null);
          }
          if (line.contains(CLUSTER_OK)) {
            clusterOk.complete(null);
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
  public synchronized void kill() {
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
