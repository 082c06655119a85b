package ai.anycap.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.AuthenticationException;
import ai.anycap.client.DownloadException;
import ai.anycap.client.ImageFormat;
import ai.anycap.client.ImageGeneration;
import ai.anycap.client.ImageRequest;
import ai.anycap.client.InsufficientCreditException;
import ai.anycap.client.InvalidRequestException;
import ai.anycap.client.Mode;
import ai.anycap.client.ModelInfo;
import ai.anycap.client.ModelSchema;
import ai.anycap.client.NotFoundException;
import ai.anycap.client.ParameterSpec;
import ai.anycap.client.RateLimitException;
import ai.anycap.client.ServiceStatus;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.imageio.ImageIO;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every endpoint of the simulator, driven through the real anycap-client. */
@Timeout(30)
class AnyCapSimulatorTest {

  @TempDir Path dir;

  private static ImageRequest cat() {
    return ImageRequest.builder().model("nano-banana-2").prompt("a cat on a mat").build();
  }

  @Test
  void generateThenDownload_givesARealPngAndCountsOneImage() throws IOException {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().seed(1).start()) {
      AnyCapClient client = sim.client();
      ImageRequest request = cat();

      ImageGeneration g = client.images().generate(request);
      Path file = client.images().download(g.firstOutput(), dir.resolve("cat.png"));

      assertThat(g.model()).isEqualTo("nano-banana-2");
      assertThat(g.creditCost()).isEqualByComparingTo(BigDecimal.ONE);
      assertThat(g.requestId()).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
      assertThat(g.firstOutput().toString())
          .startsWith(sim.baseUri() + "/artifacts/")
          .contains(".png?expires=")
          .contains("&sig=");
      assertThat(ImageFormat.detect(file)).contains(ImageFormat.PNG);
      BufferedImage image = ImageIO.read(file.toFile());
      assertThat(image.getWidth()).isEqualTo(256);
      assertThat(image.getHeight()).isEqualTo(256);

      SimulatorCounters c = sim.counters();
      assertThat(c.requests(SimulatorCounters.GENERATE, 200)).isEqualTo(1);
      assertThat(c.requests(SimulatorCounters.DOWNLOAD, 200)).isEqualTo(1);
      assertThat(c.imagesGenerated()).isEqualTo(1);
      assertThat(c.creditsCharged()).isEqualTo(1);
      assertThat(c.timesGenerated(request)).isEqualTo(1);
      assertThat(c.duplicateGenerations()).isZero();
      assertThat(c.peakInFlight()).isEqualTo(1);
      assertThat(c.protocolViolations()).isEmpty();
    }
  }

  @ParameterizedTest
  @CsvSource({"1:1,256,256", "16:9,256,144", "9:16,144,256", "4:3,256,192", "3:4,192,256"})
  void imageSizeFollowsTheAspectRatio(String ratio, int width, int height) throws IOException {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      AnyCapClient client = sim.client();
      ImageGeneration g = client.images().generate(
          cat().toBuilder().model("seedream-5").param("aspect_ratio", ratio).param("resolution", "4k").build());
      Path file = client.images().download(g.firstOutput(), dir.resolve("img.png"));

      BufferedImage image = ImageIO.read(file.toFile());
      assertThat(image.getWidth()).isEqualTo(width);
      assertThat(image.getHeight()).isEqualTo(height);
    }
  }

  @Test
  void backgroundColourFollowsThePrompt() throws IOException {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      AnyCapClient client = sim.client();
      int[] colours = new int[3];
      String[] prompts = {"a red fox", "a blue whale", "a red fox"};
      for (int i = 0; i < prompts.length; i++) {
        ImageGeneration g = client.images().generate(cat().toBuilder().prompt(prompts[i]).build());
        Path file = client.images().download(g.firstOutput(), dir.resolve(i + ".png"));
        colours[i] = ImageIO.read(file.toFile()).getRGB(128, 128);
      }
      assertThat(colours[0]).isNotEqualTo(colours[1]).isEqualTo(colours[2]);
      assertThat(sim.counters().duplicateGenerations()).isEqualTo(1);
    }
  }

  @Test
  void imageToImage_acceptsOneReferenceOrSeveral() {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      AnyCapClient client = sim.client();
      ImageRequest one = ImageRequest.builder().model("nano-banana-pro").prompt("make it blue")
          .mode(Mode.IMAGE_TO_IMAGE).referenceImage(URI.create("https://example.com/a.jpg")).build();
      ImageRequest two = one.toBuilder().referenceImage(URI.create("https://example.com/b.jpg")).build();

      assertThat(client.images().generate(one).outputs()).hasSize(1);
      assertThat(client.images().generate(two).outputs()).hasSize(1);
      assertThat(sim.counters().timesGenerated(one)).isEqualTo(1);
      assertThat(sim.counters().timesGenerated(two)).isEqualTo(1);
    }
  }

  @Test
  void models_listsTheThreeImageModelsWithTheirModes() {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      List<ModelInfo> models = sim.client().images().models();

      assertThat(models).extracting(ModelInfo::id)
          .containsExactly("nano-banana-2", "nano-banana-pro", "seedream-5");
      assertThat(models).allSatisfy(m -> {
        assertThat(m.supports("generate", Mode.TEXT_TO_IMAGE)).isTrue();
        assertThat(m.supports("generate", Mode.IMAGE_TO_IMAGE)).isTrue();
      });
      assertThat(sim.counters().requests(SimulatorCounters.MODELS, 200)).isEqualTo(1);
    }
  }

  @Test
  void model_describesOneModel_andAnUnknownOneIs404() {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      ModelInfo m = sim.client().images().model("seedream-5");
      assertThat(m.id()).isEqualTo("seedream-5");
      assertThat(m.attributes()).containsEntry("credit_cost", 1);

      assertThatThrownBy(() -> sim.client().images().model("dall-e-9"))
          .isInstanceOfSatisfying(NotFoundException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(404);
            assertThat(e.errorCode()).contains("MODEL_NOT_FOUND");
            assertThat(e.requestId()).isPresent();
          });
      assertThat(sim.counters().requests(SimulatorCounters.MODEL, 200)).isEqualTo(1);
      assertThat(sim.counters().requests(SimulatorCounters.MODEL, 404)).isEqualTo(1);
    }
  }

  @Test
  void schema_publishesTheEnumsItValidatesAgainst() {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      AnyCapClient client = sim.client();
      ModelSchema t2i = client.images().schema("nano-banana-2", "generate", Mode.TEXT_TO_IMAGE);
      ModelSchema i2i = client.images().schema("nano-banana-2", "generate", Mode.IMAGE_TO_IMAGE);
      ModelSchema byDefault = client.images().schema("seedream-5", "generate", null);

      assertThat(t2i.parameter("aspect_ratio")).map(ParameterSpec::enumValues)
          .contains(List.of("1:1", "16:9", "9:16", "4:3", "3:4"));
      assertThat(t2i.parameter("prompt")).map(ParameterSpec::required).contains(true);
      assertThat(t2i.parameter("images")).isEmpty();
      assertThat(i2i.parameter("images")).map(ParameterSpec::required).contains(true);
      assertThat(byDefault.mode()).isEqualTo(Mode.TEXT_TO_IMAGE);
      assertThat(byDefault.parameter("resolution")).map(ParameterSpec::enumValues).contains(List.of("2k", "4k"));
      assertThat(t2i.check(cat())).isEmpty();
      assertThatThrownBy(() -> client.images().schema("nano-banana-2", "generate", Mode.of("video")))
          .isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> client.images().schema("nope", "generate", null))
          .isInstanceOf(NotFoundException.class);
      assertThat(sim.counters().requests(SimulatorCounters.SCHEMA, 200)).isEqualTo(3);
      assertThat(sim.counters().requests(SimulatorCounters.SCHEMA)).isEqualTo(5);
    }
  }

  @Test
  void status_reportsTheServerAndWhetherTheKeyIsGood() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().apiKey("ak_test_right").credits(5).start()) {
      ServiceStatus good = sim.client().status();
      ServiceStatus bad = sim.clientBuilder().apiKey("ak_test_wrong").build().status();

      assertThat(good.authenticated()).contains(true);
      assertThat(good.field("server")).hasValueSatisfying(
          s -> assertThat(s).asInstanceOf(InstanceOfAssertFactories.MAP).containsEntry("name", "anycap-simulator"));
      assertThat(good.creditBalance()).contains(new BigDecimal(5));
      assertThat(good.field("credits")).contains(Map.of("balance", 5, "unlimited", false));
      assertThat(good.user()).isPresent();
      assertThat(good.version()).hasValueSatisfying(v -> assertThat(v).isNotBlank().isNotEqualTo("unknown"));
      assertThat(bad.authenticated()).contains(false);
      assertThat(bad.user()).isEmpty();
      assertThat(sim.counters().requests(SimulatorCounters.STATUS, 200)).isEqualTo(2);
    }
  }

  @Test
  void unknownModel_is400WithTheStructuredEnvelope_andCostsNothing() {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      ImageRequest request = cat().toBuilder().model("dall-e-9").build();

      assertThatThrownBy(() -> sim.client().images().generate(request))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(400);
            assertThat(e.errorCode()).contains("IMAGE_INVALID_REQUEST");
            assertThat(e.retryable()).isFalse();
            assertThat(e.serverMessage()).hasValueSatisfying(m -> assertThat(m).contains("dall-e-9"));
            assertThat(e.details()).singleElement().satisfies(d -> {
              assertThat(d).containsEntry("field", "model").containsEntry("reason", "unknown_model");
              assertThat(d.get("allowed")).asInstanceOf(InstanceOfAssertFactories.LIST).contains("nano-banana-2");
            });
            assertThat(e.requestId()).isPresent();
            assertThat(e.traceId()).hasValueSatisfying(t -> assertThat(t).startsWith("trc_"));
          });
      SimulatorCounters c = sim.counters();
      assertThat(c.requests(SimulatorCounters.GENERATE, 400)).isEqualTo(1);
      assertThat(c.imagesGenerated()).isZero();
      assertThat(c.creditsCharged()).isZero();
    }
  }

  @Test
  void badEnumValue_is400NamingTheFieldAndTheAllowedValues() {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      ImageRequest request = cat().toBuilder().param("aspect_ratio", "21:9").build();

      assertThatThrownBy(() -> sim.client().images().generate(request))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
            assertThat(e.errorCode()).contains("IMAGE_INVALID_REQUEST");
            assertThat(e.details()).singleElement().satisfies(d -> {
              assertThat(d).containsEntry("field", "aspect_ratio").containsEntry("reason", "not_in_enum");
              assertThat(d.get("allowed")).asInstanceOf(InstanceOfAssertFactories.LIST).contains("16:9");
            });
          });
      assertThat(sim.counters().imagesGenerated()).isZero();
    }
  }

  @Test
  void everyProblemWithABodyIsReported() {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      ImageRequest request = ImageRequest.builder().model("nano-banana-2").prompt("x")
          .mode(Mode.IMAGE_TO_IMAGE).param("resolution", "8k").param("seed", 3).build();

      assertThatThrownBy(() -> sim.client().images().generate(request))
          .isInstanceOfSatisfying(InvalidRequestException.class, e ->
              assertThat(e.details()).extracting(d -> d.get("field"))
                  .containsExactlyInAnyOrder("resolution", "seed", "images"));
    }
  }

  @Test
  void aConfiguredKeyIsRequired_401Otherwise() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().apiKey("ak_test_right").start()) {
      AnyCapClient wrong = sim.clientBuilder().apiKey("ak_test_wrong").build();

      assertThat(sim.client().images().generate(cat()).outputs()).hasSize(1);
      assertThatThrownBy(() -> wrong.images().generate(cat()))
          .isInstanceOfSatisfying(AuthenticationException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(401);
            assertThat(e.errorCode()).contains("INVALID_API_KEY");
          });
      assertThatThrownBy(() -> wrong.images().models()).isInstanceOf(AuthenticationException.class);
      assertThat(sim.counters().requests(SimulatorCounters.GENERATE, 401)).isEqualTo(1);
      assertThat(sim.counters().requests(SimulatorCounters.MODELS, 401)).isEqualTo(1);
      assertThat(sim.counters().imagesGenerated()).isEqualTo(1);
    }
  }

  @Test
  void aSpentBalanceGives402_untilToppedUp() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().credits(2).start()) {
      AnyCapClient client = sim.client();
      client.images().generate(cat());
      client.images().generate(cat().toBuilder().prompt("a dog").build());

      assertThatThrownBy(() -> client.images().generate(cat().toBuilder().prompt("a cow").build()))
          .isInstanceOfSatisfying(InsufficientCreditException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(402);
            assertThat(e.errorCode()).contains("IMAGE_INSUFFICIENT_CREDIT");
            assertThat(e.retryable()).isFalse();
            assertThat(e.details()).singleElement().satisfies(d -> assertThat(d).containsEntry("balance", 0));
          });
      assertThat(sim.creditBalance()).isZero();

      sim.addCredits(1);
      client.images().generate(cat().toBuilder().prompt("a cow").build());
      assertThat(sim.creditBalance()).isZero();
      SimulatorCounters c = sim.counters();
      assertThat(c.requests(SimulatorCounters.GENERATE, 402)).isEqualTo(1);
      assertThat(c.imagesGenerated()).isEqualTo(3);
      assertThat(c.creditsCharged()).isEqualTo(3);
    }
  }

  @Test
  void rateLimit_allowsTheBurst_thenAnswers429WithRetryAfter_andRefillsWithTime() {
    MutableClock clock = MutableClock.at("2030-01-01T00:00:00Z");
    try (AnyCapSimulator sim = AnyCapSimulator.builder().rateLimit(1, 3).clock(clock).start()) {
      AnyCapClient client = sim.client();
      for (int i = 0; i < 3; i++) {
        client.images().generate(cat());
      }
      assertThatThrownBy(() -> client.images().generate(cat()))
          .isInstanceOfSatisfying(RateLimitException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(429);
            assertThat(e.errorCode()).contains("RATE_LIMITED");
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
            assertThat(e.retryable()).isTrue();
          });

      clock.advance(Duration.ofSeconds(1));
      client.images().generate(cat());
      assertThatThrownBy(() -> client.images().generate(cat())).isInstanceOf(RateLimitException.class);
      SimulatorCounters c = sim.counters();
      assertThat(c.requests(SimulatorCounters.GENERATE, 200)).isEqualTo(4);
      assertThat(c.requests(SimulatorCounters.GENERATE, 429)).isEqualTo(2);
      assertThat(c.imagesGenerated()).isEqualTo(4);
    }
  }

  @Test
  void rateLimit_countsTheCapacityNoClientUsed_fromTheFirstRequestToTheLast() {
    MutableClock clock = MutableClock.at("2030-01-01T00:00:00Z");
    try (AnyCapSimulator sim = AnyCapSimulator.builder().rateLimit(2, 3).clock(clock).start()) {
      AnyCapClient client = sim.client();
      clock.advance(Duration.ofSeconds(60)); // before the first request: nobody's loss
      client.images().generate(cat());
      assertThat(sim.counters().rateLimitUnusedPermits()).isZero();

      clock.advance(Duration.ofSeconds(10)); // 2 tokens refill the one taken, 19 overflow
      client.images().generate(cat());
      client.images().generate(cat());
      client.images().generate(cat());
      assertThatThrownBy(() -> client.images().generate(cat())).isInstanceOf(RateLimitException.class);

      SimulatorCounters c = sim.counters();
      assertThat(c.rateLimitUnusedPermits()).isEqualTo(19);
      // 4 requests let through, 19 permits left unused.
      assertThat(c.rateLimitUse()).isCloseTo(4 / 23.0, org.assertj.core.data.Offset.offset(1e-9));
    }
    try (AnyCapSimulator sim = AnyCapSimulator.builder().start()) {
      sim.client().images().generate(cat());
      assertThat(sim.counters().rateLimitUnusedPermits()).isZero();
    }
  }

  @Test
  void latency_delaysGenerate_perModel() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder()
        .latency(Duration.ofMillis(50))
        .latency("seedream-5", Latency.fixed(Duration.ofMillis(400)))
        .start()) {
      AnyCapClient client = sim.client();
      long t0 = System.nanoTime();
      client.images().generate(cat().toBuilder().model("seedream-5").build());
      long slow = System.nanoTime() - t0;
      t0 = System.nanoTime();
      client.images().generate(cat());
      long fast = System.nanoTime() - t0;

      assertThat(Duration.ofNanos(slow)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
      assertThat(Duration.ofNanos(fast)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
    }
  }

  @Test
  void latencyHoldsNoThread_soTwoWorkersServeFortyWaitingClients() {
    int clients = 40;
    try (AnyCapSimulator sim = AnyCapSimulator.builder()
        .workerThreads(2)
        .latency(Duration.ofSeconds(1))   // long enough for all forty to arrive on a busy machine
        .start()) {
      AnyCapClient client = sim.client();
      List<CompletableFuture<ImageGeneration>> all = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        all.add(client.images().generateAsync(cat().toBuilder().prompt("cat " + i).build()));
      }
      CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).join();

      SimulatorCounters c = sim.awaitCounters(x -> x.inFlight() == 0, Duration.ofSeconds(5));
      assertThat(c.peakGeneratesInFlight()).isEqualTo(clients);
      assertThat(c.imagesGenerated()).isEqualTo(clients);
      assertThat(c.duplicateGenerations()).isZero();
    }
  }

  @Test
  void latencyDistributionsRepeatWithTheSeed() {
    Latency uniform = Latency.uniform(Duration.ofMillis(10), Duration.ofMillis(20));
    Latency logNormal = Latency.logNormal(Duration.ofMillis(100), Duration.ofMillis(400));
    var a = new java.util.SplittableRandom(5);
    var b = new java.util.SplittableRandom(5);
    for (int i = 0; i < 1000; i++) {
      Duration u = uniform.sample(a);
      assertThat(u).isBetween(Duration.ofMillis(10), Duration.ofMillis(20)).isEqualTo(uniform.sample(b));
      assertThat(logNormal.sample(a)).isEqualTo(logNormal.sample(b)).isPositive();
    }
    List<Long> samples = new ArrayList<>();
    for (int i = 0; i < 2001; i++) {
      samples.add(logNormal.sample(a).toMillis());
    }
    samples.sort(null);
    assertThat(samples.get(1000)).isBetween(85L, 115L);
  }

  @Test
  void artifactUrlsNeedNoKey_butExpire_andCannotBeForged() throws Exception {
    MutableClock clock = MutableClock.at("2030-01-01T00:00:00Z");
    try (AnyCapSimulator sim = AnyCapSimulator.builder()
        .apiKey("ak_test_right").artifactTtl(Duration.ofMinutes(10)).clock(clock).start()) {
      AnyCapClient client = sim.client();
      URI url = client.images().generate(cat()).firstOutput();
      HttpClient plain = HttpClient.newHttpClient();

      HttpResponse<byte[]> noKey = plain.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(noKey.statusCode()).isEqualTo(200);
      assertThat(noKey.headers().firstValue("Content-Type")).contains("image/png");

      String forged = url.toString().replaceAll("expires=\\d+", "expires=9999999999");
      assertThatThrownBy(() -> client.images().download(URI.create(forged), dir.resolve("f.png")))
          .isInstanceOfSatisfying(DownloadException.class, e -> {
            assertThat(e.reason()).isEqualTo(DownloadException.Reason.HTTP_STATUS);
            assertThat(e.statusCode()).hasValue(403);
          });
      String unknown = url.toString().replaceFirst("img_[0-9a-f]+", "img_ffffffff");
      assertThatThrownBy(() -> client.images().download(URI.create(unknown), dir.resolve("u.png")))
          .isInstanceOfSatisfying(DownloadException.class, e -> assertThat(e.statusCode()).hasValue(404));

      clock.advance(Duration.ofMinutes(10));
      assertThatThrownBy(() -> client.images().download(url, dir.resolve("late.png")))
          .isInstanceOfSatisfying(DownloadException.class, e -> assertThat(e.statusCode()).hasValue(403));
      assertThat(dir.resolve("late.png")).doesNotExist();
      SimulatorCounters c = sim.counters();
      assertThat(c.requests(SimulatorCounters.DOWNLOAD, 200)).isEqualTo(1);
      assertThat(c.requests(SimulatorCounters.DOWNLOAD, 403)).isEqualTo(2);
      assertThat(c.requests(SimulatorCounters.DOWNLOAD, 404)).isEqualTo(1);
    }
  }

  @Test
  void protocolViolationsAreRecorded_theRealClientCommitsNone() throws Exception {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      URI url = sim.client().images().generate(cat()).firstOutput();
      sim.client().images().download(url, dir.resolve("ok.png"));
      sim.client().images().models();
      assertThat(sim.counters().protocolViolations()).isEmpty();

      HttpClient raw = HttpClient.newHttpClient();
      raw.send(HttpRequest.newBuilder(url).header("Authorization", "Bearer ak_live_leaked").build(),
          HttpResponse.BodyHandlers.discarding());
      raw.send(HttpRequest.newBuilder(sim.baseUri().resolve("/v1/image/models")).build(),
          HttpResponse.BodyHandlers.discarding());

      assertThat(sim.counters().protocolViolations()).containsExactlyInAnyOrder(
          "Authorization header sent to an artifact URL",
          "API call without 'Authorization: Bearer <key>'",
          "API call without X-Trace-Id");
    }
  }

  @Test
  void unknownPathsAnd405sAreCountedAsOther() throws Exception {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      HttpClient raw = HttpClient.newHttpClient();
      HttpResponse<String> missing = raw.send(
          HttpRequest.newBuilder(sim.baseUri().resolve("/v2/nothing")).build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> wrongMethod = raw.send(
          HttpRequest.newBuilder(sim.baseUri().resolve("/v1/image/generate")).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(missing.body()).contains("\"code\":\"NOT_FOUND\"");
      assertThat(wrongMethod.statusCode()).isEqualTo(405);
      assertThat(sim.counters().requests(SimulatorCounters.OTHER)).isEqualTo(2);
    }
  }

  @Test
  void countersAreServedAsJson_forOtherProcesses_withoutCountingThemselves() throws Exception {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().credits(10).start()) {
      sim.client().images().generate(cat());
      sim.client().images().generate(cat());
      HttpClient raw = HttpClient.newHttpClient();
      HttpRequest get = HttpRequest.newBuilder(sim.baseUri().resolve("/_simulator/counters")).build();

      raw.send(get, HttpResponse.BodyHandlers.discarding());
      var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
          raw.send(get, HttpResponse.BodyHandlers.ofByteArray()).body());

      assertThat(json.at("/requests/" + SimulatorCounters.GENERATE.replace("/", "~1") + "/200").asLong()).isEqualTo(2);
      assertThat(json.get("images_generated").asLong()).isEqualTo(2);
      assertThat(json.get("credit_balance").asLong()).isEqualTo(8);
      assertThat(json.get("duplicate_generations").asLong()).isEqualTo(1);
      assertThat(json.get("protocol_violations")).isEmpty();
      assertThat(sim.counters().requests()).containsOnlyKeys(SimulatorCounters.GENERATE);
    }
  }

  @Test
  void resetCounters_startsAfresh_butKeepsTheBalance() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().credits(10).start()) {
      sim.client().images().generate(cat());
      sim.resetCounters();

      SimulatorCounters c = sim.counters();
      assertThat(c.requests()).isEmpty();
      assertThat(c.imagesGenerated()).isZero();
      assertThat(c.generationsByRequest()).isEmpty();
      assertThat(c.peakInFlight()).isZero();
      assertThat(sim.creditBalance()).isEqualTo(9);
    }
  }

  @Test
  void awaitCounters_failsWithTheLastCountersWhenTheConditionNeverHolds() {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      assertThatThrownBy(() -> sim.awaitCounters(c -> c.imagesGenerated() > 0, Duration.ofMillis(100)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("imagesGenerated=0");
    }
  }

  @Test
  void closeIsIdempotent_andTheCounterSnapshotIsImmutable() {
    AnyCapSimulator sim = AnyCapSimulator.create();
    sim.client().images().generate(cat());
    SimulatorCounters c = sim.counters();
    sim.close();
    sim.close();

    assertThatThrownBy(() -> c.requests().get(SimulatorCounters.GENERATE).put(500, 1L))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> sim.client().images().models())
        .isInstanceOf(ai.anycap.client.AnyCapIoException.class);
  }

  @Test
  void toStringShowsTheSeedToRepeatARun() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().seed(1234).fault(Fault.doNotRetry().onNthRequest(2)).start()) {
      assertThat(sim.toString()).contains("seed=1234").contains("do-not-retry:on=2").contains(sim.baseUri().toString());
      assertThat(sim.seed()).isEqualTo(1234);
    }
  }
}
