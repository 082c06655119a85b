package ai.anycap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.pipeline.SkipReason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutcomeIndexTest {

  @TempDir Path tmp;

  @Test
  void theLastLineOfThisRunWins_answersWithoutAnEndShow_andSkipsComeFromTheRunsRecord() throws Exception {
    String earlier = "{\"id\":\"a\",\"status\":\"failed\",\"error_code\":\"OLD\",\"error\":\"an earlier run\"}\n";
    Path manifest = tmp.resolve("manifest.jsonl");
    Files.writeString(manifest, earlier
        + "{\"id\":\"a\",\"status\":\"generated\",\"urls\":[\"http://x/1\"]}\n"
        + "{\"id\":\"b\",\"status\":\"generated\",\"urls\":[\"http://x/2\"],\"model\":\"nano-banana-2\"}\n"
        + "{\"id\":\"a\",\"status\":\"succeeded\",\"outputs\":[\"a.png\"],\"model\":\"seedream-5\",\"credits\":1,"
        + "\"attempts\":2,\"duration_ms\":1500,\"sinks\":{\"s3\":{\"location\":\"s3://b/a.png\"}}}\n"
        + "{\"id\":\"c\",\"status\":\"failed\",\"error_code\":\"X\",\"error\":\"boom [X]\",\"attempts\":1}\n"
        + "{\"id\":\"z\",\"sta", StandardCharsets.UTF_8); // a torn last line
    Path skips = tmp.resolve("skips.jsonl");
    Files.writeString(skips, "{\"id\":\"d\",\"reason\":\"BUDGET\",\"message\":\"not started: budget\"}\n"
        + "{\"id\":\"c\",\"reason\":\"INVALID\",\"message\":\"duplicate job id 'c'\"}\n");

    try (OutcomeIndex index = OutcomeIndex.build(manifest, earlier.length(), skips, 4)) {
      assertThat(index.size()).as("a, c, the unanswered b, and two skips").isEqualTo(5);

      JobOutcome a = index.take("a");
      assertThat(a.status()).isEqualTo(JobOutcome.Status.SUCCEEDED);
      assertThat(a.outputs()).containsExactly("a.png");
      assertThat(a.model()).isEqualTo("seedream-5");
      assertThat(a.attempts()).isEqualTo(2);
      assertThat(a.durationMillis()).isEqualTo(1500);
      assertThat(a.sinks()).containsEntry("s3", "s3://b/a.png");
      assertThat(index.take("a")).as("each line once; the earlier run's line is not this run's").isNull();

      assertThat(index.take("b").status()).isEqualTo(JobOutcome.Status.ANSWERED);

      JobOutcome c = index.take("c");
      assertThat(c.status()).isEqualTo(JobOutcome.Status.FAILED);
      assertThat(c.errorCode()).isEqualTo("X");
      JobOutcome secondC = index.take("c");
      assertThat(secondC.status()).as("a second row with the same id").isEqualTo(JobOutcome.Status.SKIPPED);
      assertThat(secondC.skipReason()).isEqualTo(SkipReason.INVALID);
      assertThat(index.take("c")).isNull();

      JobOutcome d = index.take("d");
      assertThat(d.skipReason()).isEqualTo(SkipReason.BUDGET);
      assertThat(d.message()).isEqualTo("not started: budget");

      assertThat(index.take("z")).isNull();
      assertThat(index.take("nobody")).isNull();
    }
  }

  @Test
  void manyJobs_eachFoundOnce_withoutAMapOfIds() throws Exception {
    Path manifest = tmp.resolve("manifest.jsonl");
    StringBuilder m = new StringBuilder();
    for (int i = 0; i < 5_000; i++) {
      m.append("{\"id\":\"job-").append(i).append("\",\"status\":\"generated\"}\n");
      m.append("{\"id\":\"job-").append(i).append("\",\"status\":\"")
          .append(i % 7 == 0 ? "failed\",\"error_code\":\"E" + i + "\"" : "succeeded\",\"outputs\":[\"" + i + ".png\"]")
          .append("}\n");
    }
    Files.writeString(manifest, m);
    Path skips = tmp.resolve("skips.jsonl");
    Files.writeString(skips, "");

    try (OutcomeIndex index = OutcomeIndex.build(manifest, 0, skips, 16)) {
      assertThat(index.size()).isEqualTo(5_000);
      for (int i = 4_999; i >= 0; i--) {
        JobOutcome o = index.take("job-" + i);
        if (i % 7 == 0) {
          assertThat(o.errorCode()).isEqualTo("E" + i);
        } else {
          assertThat(o.outputs()).containsExactly(i + ".png");
        }
      }
    }
  }

  @Test
  void theHashSpreadsIds() {
    assertThat(OutcomeIndex.hash("SKU-0000001.png")).isNotEqualTo(OutcomeIndex.hash("SKU-0000002.png"));
    assertThat(OutcomeIndex.hash("ab")).isNotEqualTo(OutcomeIndex.hash("ba"));
  }
}
