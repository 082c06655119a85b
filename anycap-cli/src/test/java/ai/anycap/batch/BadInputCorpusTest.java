package ai.anycap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.SimulatorCounters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad inputs a new user gives {@code anycap-batch}, each run in this JVM as from a shell. Every one
 * must end with exit code 2, a message naming the place (file and line, column, field or flag),
 * no paid request (generate, edit, upscale, read, upload) seen by any simulator, and nothing
 * written under {@code --out}. A problem found without the API sends no request at all; one
 * found with it (a schema, a model, the balance) sends only the free calls that found it.
 */
class BadInputCorpusTest {

  /** Where a problem is found: before any request, or by free calls to the API. */
  enum Stage { LOCAL, API }

  /** The paid endpoints, and those a paid call brings (uploads of references). */
  static final List<String> PAID = List.of(SimulatorCounters.GENERATE, SimulatorCounters.EDIT,
      SimulatorCounters.UPSCALE, SimulatorCounters.READ, SimulatorCounters.PRESIGN, SimulatorCounters.UPLOAD);

  static final String ROWS = "name,color,sku\n"
      + "Ceramic mug,matte black,MUG-1\n"
      + "Water bottle,brushed steel,BTL-1\n"
      + "Tote bag,natural canvas,BAG-1\n";

  /** "AnyCap", reached through ANYCAP_API_ENDPOINT with a key: every run that does not --simulate. */
  static AnyCapSimulator api;
  /** An account with 2 credits left, for the balance check. */
  static AnyCapSimulator poor;

  @TempDir Path tmp;

  @BeforeAll
  static void startApis() {
    api = AnyCapSimulator.builder().seed(3).start();
    poor = AnyCapSimulator.builder().seed(4).credits(2).start();
  }

  @AfterAll
  static void stopApis() {
    api.close();
    poor.close();
  }

  @BeforeEach
  void zeroCounters() {
    api.resetCounters();
    poor.resetCounters();
  }

  /**
   * One bad input.
   *
   * @param name what is wrong, as the test report shows it
   * @param stage whether the API is asked (for free) before the problem is found
   * @param env the environment variables, from the fixture
   * @param args the command line, from the fixture (which writes the files it names)
   * @param places what the message must name
   */
  record Case(String name, Stage stage, Function<Fx, Map<String, String>> env, Function<Fx, List<String>> args,
      List<String> places) {
    /** This case with other environment variables. */
    Case withEnvOf(Function<Fx, Map<String, String>> variables) {
      return new Case(name, stage, variables, args, places);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Case local(String name, Function<Fx, List<String>> args, String... places) {
    return new Case(name, Stage.LOCAL, Fx::keyEnv, args, List.of(places));
  }

  static Case api(String name, Function<Fx, List<String>> args, String... places) {
    return new Case(name, Stage.API, Fx::keyEnv, args, List.of(places));
  }

  static Case withEnv(String name, Map<String, String> env, Function<Fx, List<String>> args, String... places) {
    return new Case(name, Stage.LOCAL, fx -> env, args, List.of(places));
  }

  static Stream<Case> corpus() {
    return Stream.of(
        // The 17 that misbehaved in the trial of issue 15.
        api("--param aspect_ratio=bad", fx -> fx.run("--param", "aspect_ratio=bad"),
            "products.csv:2: field 'aspect_ratio'", "allowed: [1:1", "products.csv:4"),
        api("unknown --param", fx -> fx.run("--param", "colour_scheme=warm"),
            "products.csv:2: field 'colour_scheme'", "unknown parameter 'colour_scheme'"),
        new Case("--param aspect_ratio=bad --simulate", Stage.API, fx -> Map.of(),
            fx -> fx.run("--param", "aspect_ratio=bad", "--simulate", "--simulate-latency", "0"),
            List.of("products.csv:2: field 'aspect_ratio'")),
        local("output key a link to a file outside --out", fx -> {
          fx.link("out/MUG-1.png", fx.write("victim.png", "precious"));
          return fx.run();
        }, "products.csv:2: field 'output key'", "MUG-1.png is a symbolic link"),
        local("output key through a linked directory outside --out", fx -> {
          fx.link("out/shared", fx.dir("elsewhere"));
          return fx.run("--output-key", "shared/{sku}.png");
        }, "products.csv:2: field 'output key'", "shared/MUG-1.png goes through a link that leaves the output root"),
        local("prompt over the length limit (a cell that swallowed rows)", fx -> fx.run(fx.csv("long.csv",
                "name,color,sku\nMug,red,M1\n\"" + "Bowl, ".repeat(1_500) + "\",blue,B1\n")),
            "long.csv:3: field 'prompt'", "over the limit of 8,000 (--max-prompt-length)"),
        local("CSV not UTF-8 (a bad byte in the first 8 KB)", fx -> fx.run(fx.bytes("bad.csv",
                ROWS.replace("Tote bag", "Tote b\u00e9g"), StandardCharsets.ISO_8859_1)),
            "bad.csv:4: not valid UTF-8: byte 0xE9 at byte column 7", "iconv -f latin1 -t utf-8 bad.csv"),
        local("Latin-1 CSV (accent in the header)", fx -> fx.run(fx.bytes("latin1.csv",
                "d\u00e9signation,color,sku\nMug,red,M1\n", StandardCharsets.ISO_8859_1)),
            "latin1.csv:1: not valid UTF-8", "byte column 2", "the file is not UTF-8", "iconv"),
        local("Latin-1 CSV (accent on row 30, past 8 KB)", fx -> {
          StringBuilder rows = new StringBuilder("name,color,sku\n");
          for (int i = 1; i < 30; i++) {
            rows.append("Mug ").append("x".repeat(300)).append(",red,M").append(i).append('\n');
          }
          rows.append("Caf\u00e9 cup,brown,C1\n");
          return fx.run(fx.bytes("latin1.csv", rows.toString(), StandardCharsets.ISO_8859_1));
        }, "latin1.csv:31: not valid UTF-8: byte 0xE9 at byte column 4"),
        withEnv("malformed ANYCAP_API_ENDPOINT", Map.of("ANYCAP_API_KEY", "ak_x", "ANYCAP_API_ENDPOINT", "https://api anycap.ai"),
            Fx::run, "ANYCAP_API_ENDPOINT is 'https://api anycap.ai'", "Expected the form https://api.anycap.ai"),
        withEnv("scheme-less ANYCAP_API_ENDPOINT", Map.of("ANYCAP_API_KEY", "ak_x", "ANYCAP_API_ENDPOINT", "api.anycap.ai"),
            Fx::run, "ANYCAP_API_ENDPOINT is 'api.anycap.ai'", "no scheme", "https://api.anycap.ai"),
        withEnv("ftp ANYCAP_API_ENDPOINT", Map.of("ANYCAP_API_KEY", "ak_x", "ANYCAP_API_ENDPOINT", "ftp://api.anycap.ai"),
            Fx::run, "ANYCAP_API_ENDPOINT is 'ftp://api.anycap.ai'", "scheme is ftp", "https://api.anycap.ai"),
        local("--budget-credits 0", fx -> fx.run("--budget-credits", "0"), "--budget-credits 0: no job fits in a budget of 0"),
        local("--budget-usd 0", fx -> fx.run("--budget-usd", "0.00"), "--budget-usd 0.00: no job fits in a budget of 0"),
        local("negative --budget-credits", fx -> fx.run("--budget-credits", "-5"), "--budget-credits must not be negative, got -5"),
        local("negative --budget-usd", fx -> fx.run("--budget-usd", "-1.50"), "--budget-usd must not be negative, got -1.50"),
        local("--journal is a directory", fx -> fx.run("--journal", fx.dir("journals").toString()),
            "--journal " + "JOURNALS" + " is a directory; name a file"),
        local("--out is a file", fx -> fx.run("--out", fx.write("out", "a file").toString()),
            "--out OUT: OUT is a file; the output root must be a directory"),
        // Others a user runs into.
        local("--budget-usd below one image", fx -> fx.run("--budget-usd", "0.001"),
            "--budget-usd: no job fits in a budget of 0.001 dollars"),
        new Case("estimate over the credit balance", Stage.API, Fx::poorEnv, Fx::run,
            List.of("credit balance: the batch needs about 3 credits, and the account holds 2",
                "add --budget-credits 2", "--skip-balance-check")),
        local("--out under a file", fx -> fx.run("--out", fx.write("file.txt", "x").resolve("images").toString()),
            "--out ", "file.txt/images cannot be created: ", "file.txt is a file"),
        local("--journal under a file", fx -> fx.run("--journal", fx.write("file.txt", "x").resolve("m.jsonl").toString()),
            "--journal ", "m.jsonl cannot be created: ", "file.txt is a file"),
        local("the default manifest is a directory", fx -> {
          fx.dir("out/manifest.jsonl");
          return fx.run();
        }, "the manifest ", "manifest.jsonl (from --out) is a directory"),
        local("empty CSV", fx -> fx.run(fx.csv("empty.csv", "")), "empty.csv:1", "the file is empty"),
        local("CSV with a header only", fx -> fx.run(fx.csv("header.csv", "name,color,sku\n")),
            "header.csv has a header but no rows"),
        local("duplicate ids", fx -> fx.run(fx.csv("dup.csv", ROWS + "Mug again,red,MUG-1\n"), "--id-column", "sku",
                "--output-key", "{sku}-{color}.png"),
            "dup.csv:5: field 'id'", "duplicate job id 'MUG-1', first at dup.csv:2"),
        local("duplicate output keys", fx -> fx.run(fx.csv("dup.csv", ROWS + "Mug again,red,MUG-1\n"), "--id-column", "name"),
            "dup.csv:5", "output key 'MUG-1.png' is also the output of dup.csv:2"),
        local("a column the template needs is missing", fx -> fx.run(fx.csv("nocolor.csv", "name,sku\nMug,M1\n")),
            "template 'product' needs {color}", "no column 'color'"),
        local("unknown template", fx -> fx.run("--template", "produkt"), "has no template 'produkt'", "product_hero"),
        api("unknown model", fx -> fx.run("--model", "nano-banana-3"),
            "unknown model 'nano-banana-3'", "nano-banana-2"),
        local("--value without =", fx -> fx.run("--value", "product_name"), "--value", "product_name"),
        local("--value with a broken template", fx -> fx.run("--value", "label={name"),
            "value 'label' is not a valid template"),
        local("--concurrency 0", fx -> fx.run("--concurrency", "0"), "--concurrency must be between 1 and 1024, got 0"),
        local("--concurrency not a number", fx -> fx.run("--concurrency", "eight"), "--concurrency", "eight"),
        local("misspelt --output-key", fx -> fx.without("--output-key", "--output-kye", "{sku}.png"),
            "Unknown options: '--output-kye'", "Missing required option: '--output-key"),
        local("--max-attempts 0", fx -> fx.run("--max-attempts", "0"), "--max-attempts must be between 1 and 20, got 0"),
        local("--generate-timeout 0s", fx -> fx.run("--generate-timeout", "0s"), "--generate-timeout must be positive"),
        local("--max-prompt-length 0", fx -> fx.run("--max-prompt-length", "0"), "--max-prompt-length must be at least 1"),
        local("missing CSV", fx -> fx.run(fx.tmp.resolve("nope.csv")), "nope.csv: no such file"),
        local("missing templates file", fx -> fx.run("--templates", fx.tmp.resolve("nope.json").toString()),
            "nope.json: no such file (the --templates JSON)"),
        local("malformed templates file", fx -> fx.run("--templates", fx.write("t.json", "{\"product\": \"{name\"").toString()),
            "t.json is not a valid templates file"),
        local("output key column missing", fx -> fx.run("--output-key", "{code}.png"), "'code'", "outputKey '{code}.png'"),
        local("a blank cell the template needs", fx -> fx.run(fx.csv("blank.csv", "name,color,sku\nMug,red,M1\nCup,,C1\n")),
            "blank.csv:3: field 'color'"),
        local("unclosed quote", fx -> fx.run(fx.csv("quote.csv", "name,color,sku\nMug,red,M1\n\"Cup,blue,C1\nBowl,green,B1\n")),
            "quote.csv:3", "unclosed quote"),
        local("a row with an extra cell", fx -> fx.run(fx.csv("extra.csv", "name,color,sku\nMug,red,M1,extra\n")),
            "extra.csv:2", "row has 4 cells but the header has only 3"),
        local("output key leaving --out", fx -> fx.run("--output-key", "../{sku}.png"),
            "products.csv:2: field 'output key'", "contains '..'"),
        local("absolute output key", fx -> fx.run("--output-key", "/tmp/{sku}.png"),
            "products.csv:2: field 'output key'", "is absolute"),
        local("--prompt-column names no column", fx -> fx.without("--template", "--prompt-column", "prompt"),
            "products.csv:1: field 'prompt'", "column 'prompt' (used by promptColumn) is not in the header"),
        local("--param naming a field of its own", fx -> fx.run("--param", "prompt=hello"),
            "'prompt' is not a model parameter"),
        local("no key and no --simulate", fx -> fx.run(), "ANYCAP_API_KEY", "--simulate")
            .withEnvOf(fx -> Map.of()),
        local("a simulator knob without --simulate", fx -> fx.run("--simulate-fault", "server-error:503"),
            "--simulate-fault", "add --simulate"),
        local("everything at once: --out a file, a long prompt, a blank cell", fx -> fx.run(
                fx.csv("all.csv", "name,color,sku\nMug,,M1\n" + "x".repeat(8_001) + ",red,X1\n"),
                "--out", fx.write("out", "a file").toString()),
            "3 problems", "--out OUT: OUT is a file", "all.csv:2: field 'color'", "all.csv:3: field 'prompt'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void badInput_exitsTwo_namesThePlace_spendsNothing_writesNothing(Case c) throws IOException {
    Fx fx = new Fx(tmp);
    List<String> args = c.args().apply(fx);
    Map<String, String> before = fx.snapshot();

    CliRun run = CliRun.of(c.env().apply(fx), args.toArray(String[]::new));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.BAD_INPUT);
    for (String place : c.places()) {
      assertThat(run.err()).as("names the place").contains(fx.placeholders(place));
    }
    assertThat(run.err()).doesNotContain("Exception").doesNotContain("Input length");
    List<AnyCapSimulator> seen = new ArrayList<>(run.simulators());
    seen.add(api);
    seen.add(poor);
    for (AnyCapSimulator sim : seen) {
      for (String paid : PAID) {
        assertThat(sim.counters().requests(paid)).as(paid).isZero();
      }
      if (c.stage() == Stage.LOCAL) {
        assertThat(total(sim.counters())).as("no request at all before the API is needed").isZero();
      }
    }
    assertThat(fx.snapshot()).as("nothing written under --out").isEqualTo(before);
  }

  /** The same problems from run, run --dry-run and estimate. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("sameEverywhere")
  void dryRunAndEstimate_reportTheSameProblems(Case c) throws IOException {
    for (String command : List.of("run", "dry-run", "estimate")) {
      Fx fx = new Fx(Files.createTempDirectory(tmp, command));
      List<String> args = new ArrayList<>(c.args().apply(fx));
      if (command.equals("dry-run")) {
        args.add("--dry-run");
      } else if (command.equals("estimate")) {
        args.set(0, "estimate");
      }
      CliRun run = CliRun.of(c.env().apply(fx), args.toArray(String[]::new));
      assertThat(run.exitCode()).as(command + ": " + run.all()).isEqualTo(ExitCodes.BAD_INPUT);
      for (String place : c.places()) {
        assertThat(run.err()).as(command).contains(fx.placeholders(place));
      }
    }
    for (String paid : PAID) {
      assertThat(api.counters().requests(paid) + poor.counters().requests(paid)).as(paid).isZero();
    }
  }

  static Stream<Case> sameEverywhere() {
    List<String> names = List.of("--param aspect_ratio=bad", "unknown --param", "--param aspect_ratio=bad --simulate",
        "output key a link to a file outside --out", "prompt over the length limit (a cell that swallowed rows)",
        "Latin-1 CSV (accent in the header)", "--budget-credits 0", "negative --budget-usd", "--out is a file",
        "--journal is a directory", "estimate over the credit balance", "unknown model", "scheme-less ANYCAP_API_ENDPOINT",
        "--budget-usd below one image");
    return corpus().filter(c -> names.contains(c.name()));
  }

  private static long total(SimulatorCounters counters) {
    return counters.requests().values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
  }

  /** The files of one case, under its own directory. */
  static final class Fx {
    final Path tmp;
    final Path out;
    final Path products;
    private final Path templates = CliRun.samples().resolve("templates.json");

    Fx(Path tmp) throws IOException {
      this.tmp = tmp;
      this.out = tmp.resolve("out");
      this.products = Files.writeString(tmp.resolve("products.csv"), ROWS);
    }

    Map<String, String> keyEnv() {
      return Map.of("ANYCAP_API_KEY", "ak_test_corpus", "ANYCAP_API_ENDPOINT", api.baseUri().toString());
    }

    Map<String, String> poorEnv() {
      return Map.of("ANYCAP_API_KEY", "ak_test_corpus", "ANYCAP_API_ENDPOINT", poor.baseUri().toString());
    }

    /** run on products.csv with the sample template, each {@code --flag value} given replacing the base's. */
    List<String> run(String... more) {
      return run(products, more);
    }

    List<String> run(Path csv, String... more) {
      Map<String, String> flags = new java.util.LinkedHashMap<>();
      flags.put("--templates", templates.toString());
      flags.put("--template", "product");
      flags.put("--output-key", "{sku}.png");
      flags.put("--out", out.toString());
      List<String> extra = new ArrayList<>();
      for (int i = 0; i < more.length; i++) {
        boolean valued = i + 1 < more.length && !more[i + 1].startsWith("--") && more[i].startsWith("--");
        if (valued && flags.containsKey(more[i])) {
          flags.put(more[i], more[++i]);
        } else {
          extra.add(more[i]);
        }
      }
      List<String> args = new ArrayList<>(List.of("run", csv.toString()));
      flags.forEach((k, v) -> args.addAll(List.of(k, v)));
      args.addAll(extra);
      return args;
    }

    /** The base command with {@code flag} (and its value) replaced by {@code replacement}. */
    List<String> without(String flag, String... replacement) {
      List<String> args = new ArrayList<>(run());
      int i = args.indexOf(flag);
      args.remove(i + 1);
      args.remove(i);
      args.addAll(Arrays.asList(replacement));
      return args;
    }

    Path csv(String name, String content) {
      return write(name, content);
    }

    Path bytes(String name, String content, java.nio.charset.Charset charset) {
      try {
        return Files.write(tmp.resolve(name), content.getBytes(charset));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    Path write(String name, String content) {
      return bytes(name, content, StandardCharsets.UTF_8);
    }

    Path dir(String name) {
      try {
        return Files.createDirectories(tmp.resolve(name));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    void link(String name, Path target) {
      try {
        Files.createDirectories(tmp.resolve(name).getParent());
        Files.createSymbolicLink(tmp.resolve(name), target);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    /** {@code place} with OUT and JOURNALS put as this fixture's paths. */
    String placeholders(String place) {
      return place.replace("JOURNALS", tmp.resolve("journals").toString()).replace("OUT", out.toString());
    }

    /** Every path under --out (links not followed), with what it is: "absent" when --out is. */
    Map<String, String> snapshot() throws IOException {
      Map<String, String> s = new TreeMap<>();
      if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
        s.put("", "absent");
        return s;
      }
      if (!Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
        s.put("", "file " + Files.readString(out));
        return s;
      }
      try (Stream<Path> paths = Files.walk(out)) {
        for (Path p : paths.toList()) {
          String what = Files.isSymbolicLink(p) ? "link " + Files.readSymbolicLink(p)
              : Files.isDirectory(p) ? "dir" : "file " + Files.size(p);
          s.put(out.relativize(p).toString(), what);
        }
      }
      return s;
    }
  }
}
