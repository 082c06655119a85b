package ai.anycap.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The crash-and-resume trial, as a user meets it: the {@code anycap-batch} CLI (its jar) against a
 * standalone simulator in a process of its own, killed with SIGKILL at random moments and started
 * again until it exits 0. Then it counts, from the simulator and the manifest: jobs lost, corrupt
 * or leftover files, and every generation beyond one per job, split into those whose answer the
 * journal had recorded (paid twice: the money path must make these 0) and those that were in
 * flight without an answer at a kill (the unavoidable cost of a kill).
 *
 * <pre>
 * java -cp anycap-bench/target/anycap-bench.jar ai.anycap.bench.CrashResume \
 *     anycap-cli/target/anycap-batch.jar [jobs=300] [kills=20] [concurrency=16] [seed=1]
 * </pre>
 *
 * <p>The simulator answers generate after a log-normal latency (median 400 ms) and trickles each
 * download over about 2 s, so that kills land as often during downloads as during generates.
 */
public final class CrashResume {

  private static final ObjectMapper JSON = new ObjectMapper();

  private CrashResume() {}

  public static void main(String[] args) throws Exception {
    Path cliJar = Path.of(args.length > 0 ? args[0] : "anycap-cli/target/anycap-batch.jar").toAbsolutePath();
    int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    int kills = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 16;
    long seed = args.length > 4 ? Long.parseLong(args[4]) : 1;
    if (!Files.isRegularFile(cliJar)) {
      throw new IllegalArgumentException(cliJar + " is not the CLI's jar: build it with"
          + " mvn -B -q -pl anycap-cli -am package -Dmaven.test.skip=true");
    }
    Random random = new Random(seed);
    try (Scratch dir = Scratch.create("crash-resume");
        SimulatorProcess sim = SimulatorProcess.start(List.of(
            "--seed", Long.toString(seed), "--api-key", "ak_test_crash",
            "--latency-ms", "log-normal:400:2000", "--fault", "slow-download:2s"))) {
      Path csv = dir.resolve("rows.csv");
      StringBuilder rows = new StringBuilder("sku,name,color\n");
      for (int i = 1; i <= jobs; i++) {
        rows.append("SKU-").append(i).append(",Product ").append(i).append(',').append(i % 2 == 0 ? "red" : "blue")
            .append('\n');
      }
      Files.writeString(csv, rows);
      Path templates = dir.resolve("templates.json");
      Files.writeString(templates, "{\"product\": \"Catalogue photo of {name} in {color}\"}");
      Path out = dir.resolve("out");
      List<String> command = List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", cliJar.toString(),
          "run", csv.toString(), "--templates", templates.toString(), "--template", "product",
          "--output-key", "{sku}.png", "--id-column", "sku", "--out", out.toString(),
          "--concurrency", Integer.toString(concurrency));

      int killed = 0;
      int runs = 0;
      int exit = -1;
      while (exit != 0) {
        runs++;
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(dir.resolve("run-" + runs + ".log").toFile());
        pb.environment().put("ANYCAP_API_ENDPOINT", sim.baseUri().toString());
        pb.environment().put("ANYCAP_API_KEY", "ak_test_crash");
        Process cli = pb.start();
        if (killed < kills) {
          long delayMs = 2_000 + random.nextInt(10_000); // a JVM start, then somewhere in the batch
          if (!cli.waitFor(delayMs, TimeUnit.MILLISECONDS)) {
            cli.destroyForcibly(); // SIGKILL
            cli.waitFor();
            killed++;
            Progress.say("   kill " + killed + " after " + delayMs + " ms");
            continue;
          }
        }
        cli.waitFor();
        exit = cli.exitValue();
        Progress.say("   run " + runs + " exited " + exit);
        if (exit != 0 && exit != 1) {
          throw new IllegalStateException("run " + runs + " exited " + exit + ": " + Files.readString(dir.resolve("run-" + runs + ".log")));
        }
      }

      JsonNode counters = sim.counters();
      long generated = counters.path("images_generated").asLong();
      Set<String> answered = new HashSet<>();
      Set<String> succeeded = new HashSet<>();
      for (String line : Files.readAllLines(out.resolve("manifest.jsonl"))) {
        JsonNode n = JSON.readTree(line);
        String status = n.path("status").asText();
        if (status.equals("generated") && n.hasNonNull("request_id")) {
          answered.add(n.get("request_id").asText());
        } else if (status.equals("succeeded")) {
          succeeded.add(n.get("id").asText());
          if (n.hasNonNull("request_id")) {
            answered.add(n.get("request_id").asText());
          }
        }
      }
      long corrupt = 0;
      long parts;
      try (Stream<Path> files = Files.walk(out)) {
        List<Path> all = files.filter(Files::isRegularFile).toList();
        parts = all.stream().filter(p -> p.getFileName().toString().endsWith(".part")).count();
        for (Path p : all) {
          if (p.getFileName().toString().endsWith(".png") && !completePng(p)) {
            corrupt++;
          }
        }
      }
      long extra = generated - jobs;
      long unanswered = generated - answered.size();
      System.out.println("crash-resume: " + jobs + " jobs, concurrency " + concurrency + ", " + killed + " SIGKILLs, "
          + runs + " runs until exit 0");
      System.out.println("  jobs lost (not succeeded in the manifest): " + (jobs - succeeded.size()));
      System.out.println("  corrupt images: " + corrupt + "; temporary files left: " + parts);
      System.out.println("  generations: " + generated + " for " + jobs + " jobs, " + extra + " extra");
      System.out.println("    of which in flight without an answer at a kill: " + unanswered);
      System.out.println("    of which answered, recorded, and generated again: " + (answered.size() - jobs));
    }
  }

  private static boolean completePng(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = in.readAllBytes();
      return b.length > 12 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'
          && new String(b, b.length - 8, 4, StandardCharsets.ISO_8859_1).equals("IEND");
    }
  }
}
