package ai.anycap.bench;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * A process that keeps some cores busy, for the rate-limit row's CPU-load variant: another program
 * on the machine, as a build or a neighbour's job is, competing with the client and the simulator
 * for the CPU. {@link #start} runs it in a child JVM; {@link Running#close} stops it.
 *
 * <p>Arguments (as a main class): the number of threads to spin. It ends when its standard input
 * closes, so that it never outlives the benchmark.
 */
public final class CpuLoad {

  private CpuLoad() {}

  /** A running load; closing it stops the process. */
  static final class Running implements AutoCloseable {
    private final Process process;

    private Running(Process process) {
      this.process = process;
    }

    @Override
    public void close() {
      process.destroy();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Starts a child JVM spinning {@code threads} threads. */
  static Running start(int threads) {
    ProcessBuilder pb = ChildJvm.command(List.of("-Xmx32m"), CpuLoad.class.getName(), List.of(Integer.toString(threads)))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    try {
      Process p = pb.start();
      Progress.say(String.format(Locale.ROOT, "   CPU load: pid %d spinning %d threads", p.pid(), threads));
      return new Running(p);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the CPU load: " + pb.command(), e);
    }
  }

  /**
   * Spins the threads until standard input closes.
   *
   * @param args the number of threads to spin
   * @throws IOException if standard input cannot be read
   */
  public static void main(String[] args) throws IOException {
    int threads = Integer.parseInt(args[0]);
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(CpuLoad::spin, "cpu-load-" + i);
      t.setDaemon(true);
      t.start();
    }
    while (System.in.read() >= 0) {
      // Spin until the parent closes our input (or kills us).
    }
  }

  private static volatile long sink;

  private static void spin() {
    long x = System.nanoTime() | 1;
    while (true) {
      for (int i = 0; i < 1_000_000; i++) { // xorshift, so that the loop cannot be optimised away
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
      }
      sink = x;
    }
  }
}
