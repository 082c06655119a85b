package ai.anycap.bench;

import java.util.List;
import java.util.Locale;

/** The benchmark's scenarios, in the order they run and print. */
enum Scenario {
  LITTLES_LAW("littles-law", "Little's law") {
    @Override
    List<Row> run(Benchmark.Settings settings) throws Exception {
      return LittlesLaw.run(settings.quick());
    }
  },
  RATE_LIMIT("rate-limit", "rate limit") {
    @Override
    List<Row> run(Benchmark.Settings settings) throws Exception {
      return RateLimit.run(settings.quick(), settings.variants(), settings.adaptiveOnly(), settings.warm());
    }
  },
  SHARED_QUOTA("shared-quota", "shared quota") {
    @Override
    List<Row> run(Benchmark.Settings settings) throws Exception {
      return SharedQuota.run(settings.quick());
    }
  },
  MEMORY("memory", "memory") {
    @Override
    List<Row> run(Benchmark.Settings settings) throws Exception {
      return Memory.run(settings.quick());
    }
  },
  CLI_MEMORY("cli-memory", "CLI memory") {
    @Override
    List<Row> run(Benchmark.Settings settings) throws Exception {
      return CliMemory.run(settings.quick());
    }
  },
  OVERHEAD("overhead", "overhead") {
    @Override
    List<Row> run(Benchmark.Settings settings) throws Exception {
      return Overhead.run(settings.quick());
    }
  };

  private final String flag;
  private final String title;

  Scenario(String flag, String title) {
    this.flag = flag;
    this.title = title;
  }

  String title() {
    return title;
  }

  abstract List<Row> run(Benchmark.Settings settings) throws Exception;

  static Scenario named(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (Scenario s : values()) {
      if (s.flag.equals(n) || s.flag.startsWith(n + "-") || s.name().equalsIgnoreCase(n)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "no scenario '" + name + "'; there are littles-law, rate-limit, shared-quota, memory, cli-memory, overhead");
  }
}
