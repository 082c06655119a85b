package ai.anycap.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.ExchangeRequest;
import ai.anycap.client.ImageGeneration;
import ai.anycap.client.ImageRequest;
import ai.anycap.client.RateLimitException;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.Fault;
import ai.anycap.testkit.SimulatorCounters;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client exchanges as Observations: through the OpenTelemetry SDK (Micrometer Tracing's bridge,
 * spans in an in-memory exporter) and through Micrometer's TestObservationRegistry.
 */
class ClientTracesTest {

  @TempDir Path dir;

  private final AnyCapSimulator sim = AnyCapSimulator.builder().seed(31).start();
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final SdkTracerProvider tracerProvider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
  private final Tracer tracer =
      new OtelTracer(tracerProvider.get("test"), new OtelCurrentTraceContext(), event -> {});
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @AfterEach
  void stop() {
    tracerProvider.close();
    sim.close();
  }

  private AnyCapClient tracedClient() {
    ObservationRegistry observations = ObservationRegistry.create();
    observations.observationConfig()
        .observationHandler(new DefaultMeterObservationHandler(meters))
        .observationHandler(new DefaultTracingObservationHandler(tracer));
    AnyCapObservability observability = AnyCapObservability.of(meters, observations);
    return sim.clientBuilder().exchangeListener(observability.exchangeListener()).build();
  }

  private static String attribute(SpanData span, String key) {
    return span.getAttributes().get(AttributeKey.stringKey(key));
  }

  @Test
  void eachExchange_isASpanUnderTheCallersSpan_withItsRealStart_andIdsAsAttributes() {
    AnyCapClient client = tracedClient();
    Span parent = tracer.nextSpan().name("make-hero-image").start();
    ImageGeneration g;
    try (Tracer.SpanInScope scope = tracer.withSpan(parent)) {
      g = client.images().generate(ImageRequest.builder().model("nano-banana-2").prompt("a crane").build());
      client.images().download(g.firstOutput(), dir.resolve("crane.png"));
    } finally {
      parent.end();
    }

    List<SpanData> finished = spans.getFinishedSpanItems();
    SpanData root = finished.stream().filter(s -> s.getName().equals("make-hero-image")).findFirst().orElseThrow();
    SpanData generate = finished.stream().filter(s -> s.getName().equals("POST /v1/image/generate")).findFirst().orElseThrow();
    SpanData download = finished.stream().filter(s -> s.getName().equals(ExchangeRequest.DOWNLOAD)).findFirst().orElseThrow();
    SimulatorCounters c = sim.counters();
    assertThat(finished).hasSize(1 + (int) (c.requests(SimulatorCounters.GENERATE) + c.requests(SimulatorCounters.DOWNLOAD)));

    assertThat(generate.getTraceId()).isEqualTo(root.getTraceId());
    assertThat(generate.getParentSpanId()).isEqualTo(root.getSpanId());
    assertThat(download.getParentSpanId()).isEqualTo(root.getSpanId());
    assertThat(generate.getStartEpochNanos()).isGreaterThanOrEqualTo(root.getStartEpochNanos())
        .isLessThan(generate.getEndEpochNanos());
    assertThat(download.getStartEpochNanos()).isGreaterThanOrEqualTo(generate.getEndEpochNanos());
    assertThat(attribute(generate, "status")).isEqualTo("200");
    assertThat(attribute(generate, "error.code")).isEqualTo("none");
    assertThat(attribute(generate, "anycap.trace.id")).isEqualTo(g.traceId());
    assertThat(attribute(generate, "anycap.request.id")).isEqualTo(g.requestId().orElseThrow());
    assertThat(generate.getAttributes().toString()).doesNotContain(AnyCapSimulator.DEFAULT_CLIENT_KEY);
    assertThat(download.getAttributes().toString()).doesNotContain("http");
    // The ids are span attributes only: the timer's tags stay bounded.
    assertThat(meters.get(AnyCapObservability.CLIENT_REQUESTS).tag("endpoint", "POST /v1/image/generate").timer()
        .getId().getTags()).extracting(t -> t.getKey())
        .containsExactlyInAnyOrder("endpoint", "status", "error.code", "error");
  }

  @Test
  void aRefusedExchange_isAnErrorSpan_withTheStatusAndCode() {
    sim.addFault(Fault.rateLimited(java.time.Duration.ofSeconds(1)));
    AnyCapClient client = tracedClient();

    assertThatThrownBy(() -> client.images().generate(ImageRequest.builder().model("nano-banana-2").prompt("x").build()))
        .isInstanceOf(RateLimitException.class);

    SpanData span = spans.getFinishedSpanItems().get(0);
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(attribute(span, "status")).isEqualTo("429");
    assertThat(attribute(span, "error.code")).isEqualTo("RATE_LIMITED");
    assertThat(span.getEvents()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("exception"));
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE, 429)).isEqualTo(1);
  }

  @Test
  void theObservation_meetsMicrometersContract() {
    TestObservationRegistry registry = TestObservationRegistry.create();
    AnyCapClient client = sim.clientBuilder()
        .exchangeListener(AnyCapObservability.of(meters, registry).exchangeListener()).build();

    client.status();

    TestObservationRegistryAssert.assertThat(registry)
        .hasNumberOfObservationsWithNameEqualTo(AnyCapObservability.CLIENT_REQUESTS, 1)
        .hasObservationWithNameEqualTo(AnyCapObservability.CLIENT_REQUESTS).that()
        .hasContextualNameEqualTo("GET /v1/status")
        .hasBeenStarted().hasBeenStopped()
        .hasLowCardinalityKeyValue("endpoint", "GET /v1/status")
        .hasLowCardinalityKeyValue("status", "200")
        .hasLowCardinalityKeyValue("error.code", "none")
        .hasHighCardinalityKeyValueWithKey("anycap.trace.id");
    assertThat(sim.counters().requests(SimulatorCounters.STATUS, 200)).isEqualTo(1);
  }
}
