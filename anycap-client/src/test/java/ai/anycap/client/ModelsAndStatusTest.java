package ai.anycap.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ModelsAndStatusTest {

  @RegisterExtension static WireMockExtension wm = WireMockSupport.server();

  private static final String SCHEMA =
      "{\"schemas\":[{\"operation\":\"generate\",\"mode\":\"text-to-image\",\"schema\":{\"model_params\":{"
          + "\"prompt\":{\"type\":\"string\",\"required\":true},"
          + "\"aspect_ratio\":{\"type\":\"string\",\"enum\":[\"1:1\",\"16:9\",\"9:16\"]},"
          + "\"resolution\":{\"type\":\"string\",\"enum\":[\"2k\",\"4k\"]},"
          + "\"seed\":{\"type\":\"integer\"}}}}]}";

  @Test
  void models_listsEveryModelAndKeepsUnknownFields() {
    wm.stubFor(
        get("/v1/image/models")
            .willReturn(
                okJson(
                    "{\"models\":[{\"model\":\"nano-banana-2\",\"display_name\":\"Nano Banana 2\"},"
                        + "{\"model\":\"seedream-5\",\"operations\":[{\"operation\":\"generate\",\"modes\":[{\"mode\":\"text-to-image\"}]}]}]}")));
    List<ModelInfo> models = WireMockSupport.clientFor(wm).build().images().models();
    assertThat(models).extracting(ModelInfo::id).containsExactly("nano-banana-2", "seedream-5");
    assertThat(models.get(0).attributes()).containsEntry("display_name", "Nano Banana 2");
    assertThat(models.get(1).supports("generate", Mode.TEXT_TO_IMAGE)).isTrue();
    wm.verify(getRequestedFor(urlPathEqualTo("/v1/image/models")).withHeader("Authorization", equalTo("Bearer " + WireMockSupport.KEY)));
  }

  @Test
  void model_readsOperationsAndModes() {
    wm.stubFor(
        get("/v1/image/models/nano-banana-pro")
            .willReturn(
                okJson(
                    "{\"model\":{\"model\":\"nano-banana-pro\",\"operations\":[{\"operation\":\"generate\","
                        + "\"modes\":[{\"mode\":\"text-to-image\"},{\"mode\":\"image-to-image\"}]}]}}")));
    ModelInfo m = WireMockSupport.clientFor(wm).build().images().model("nano-banana-pro");
    assertThat(m.id()).isEqualTo("nano-banana-pro");
    assertThat(m.operations()).singleElement().satisfies(op -> {
      assertThat(op.name()).isEqualTo("generate");
      assertThat(op.modes()).containsExactly(Mode.TEXT_TO_IMAGE, Mode.IMAGE_TO_IMAGE);
    });
    assertThat(m.supports("generate", Mode.IMAGE_TO_IMAGE)).isTrue();
    assertThat(m.supports("edit", Mode.IMAGE_TO_IMAGE)).isFalse();
  }

  @Test
  void model_unknown_isNotFound() {
    wm.stubFor(
        get("/v1/image/models/nope")
            .willReturn(aResponse().withStatus(404).withBody("{\"error\":{\"code\":\"MODEL_NOT_FOUND\",\"message\":\"unknown model nope\"}}")));
    NotFoundException e =
        catchThrowableOfType(() -> WireMockSupport.clientFor(wm).build().images().model("nope"), NotFoundException.class);
    assertThat(e.getMessage()).contains("unknown model nope").contains("GET /v1/image/models/nope");
  }

  @Test
  void schema_sendsOperationAndModeAndIsTyped() {
    wm.stubFor(get(urlPathEqualTo("/v1/image/models/nano-banana-2/schema")).willReturn(okJson(SCHEMA)));
    ModelSchema schema =
        WireMockSupport.clientFor(wm).build().images().schema("nano-banana-2", "generate", Mode.TEXT_TO_IMAGE);

    assertThat(schema.model()).isEqualTo("nano-banana-2");
    assertThat(schema.mode()).isEqualTo(Mode.TEXT_TO_IMAGE);
    assertThat(schema.parameters().keySet()).containsExactly("prompt", "aspect_ratio", "resolution", "seed");
    assertThat(schema.parameter("prompt")).hasValueSatisfying(p -> {
      assertThat(p.type()).isEqualTo("string");
      assertThat(p.required()).isTrue();
    });
    assertThat(schema.parameter("aspect_ratio").orElseThrow().enumValues()).containsExactly("1:1", "16:9", "9:16");
    wm.verify(
        getRequestedFor(urlPathEqualTo("/v1/image/models/nano-banana-2/schema"))
            .withQueryParam("operation", equalTo("generate"))
            .withQueryParam("mode", equalTo("text-to-image")));
  }

  @Test
  void schemaCheck_listsEveryProblem() {
    wm.stubFor(get(urlPathEqualTo("/v1/image/models/nano-banana-2/schema")).willReturn(okJson(SCHEMA)));
    ModelSchema schema =
        WireMockSupport.clientFor(wm).build().images().schema("nano-banana-2", "generate", Mode.TEXT_TO_IMAGE);

    ImageRequest bad =
        ImageRequest.builder()
            .model("nano-banana-2")
            .prompt("x")
            .param("aspect_ratio", "2:1")
            .param("style", "vivid")
            .param("seed", "forty-two")
            .build();
    List<SchemaViolation> problems = schema.check(bad);

    assertThat(problems)
        .extracting(SchemaViolation::parameter, SchemaViolation::kind)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("aspect_ratio", SchemaViolation.Kind.NOT_IN_ENUM),
            org.assertj.core.groups.Tuple.tuple("style", SchemaViolation.Kind.UNKNOWN_PARAMETER),
            org.assertj.core.groups.Tuple.tuple("seed", SchemaViolation.Kind.WRONG_TYPE));
    assertThat(problems).anySatisfy(p -> assertThat(p.message()).contains("'2:1'").contains("[1:1, 16:9, 9:16]"));

    ImageRequest good =
        ImageRequest.builder().model("nano-banana-2").prompt("x").param("aspect_ratio", "16:9").param("seed", 42).build();
    assertThat(schema.check(good)).isEmpty();
  }

  @Test
  void schemaCheck_reportsAMissingRequiredParameter() {
    ModelSchema schema =
        new ModelSchema(
            "m",
            "generate",
            Mode.IMAGE_TO_IMAGE,
            java.util.Map.of(
                "prompt", new ParameterSpec("prompt", "string", true, List.of(), ""),
                "images", new ParameterSpec("images", "array", true, List.of(), "")));
    List<SchemaViolation> problems =
        schema.check(ImageRequest.builder().model("m").prompt("p").mode(Mode.IMAGE_TO_IMAGE).build());
    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(SchemaViolation.Kind.MISSING_REQUIRED);
      assertThat(p.parameter()).isEqualTo("images");
    });
  }

  @Test
  void status_keepsEveryFieldAndReadsAuthentication() {
    wm.stubFor(get("/v1/status").willReturn(okJson("{\"version\":\"1.2.3\",\"authenticated\":true,\"region\":\"eu\"}")));
    ServiceStatus status = WireMockSupport.clientFor(wm).build().status();
    assertThat(status.authenticated()).contains(true);
    assertThat(status.version()).contains("1.2.3");
    assertThat(status.field("region")).contains("eu");
  }

  @Test
  void status_unauthenticated_isAnAuthenticationException() {
    wm.stubFor(get("/v1/status").willReturn(aResponse().withStatus(401).withBody("{\"error\":\"unauthorized\",\"message\":\"bad key\"}")));
    AuthenticationException e =
        catchThrowableOfType(() -> WireMockSupport.clientFor(wm).build().status(), AuthenticationException.class);
    assertThat(e.getMessage()).contains("bad key").doesNotContain(WireMockSupport.KEY);
  }
}
