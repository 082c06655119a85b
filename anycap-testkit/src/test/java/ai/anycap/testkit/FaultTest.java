package ai.anycap.testkit;

import ai.anycap.testkit.FaultKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FaultTest {

  @ParameterizedTest
  @ValueSource(strings = {
    "server-error:503",
    "server-error:500:p=0.25:flat",
    "server-error:502:on=1,3:after",
    "rate-limited:2000ms:on=3:http-date",
    "do-not-retry:flat",
    "reset-connection:after",
    "hang:5000ms:p=0.5",
    "malformed-json:on=2",
    "truncated-download",
    "artifact-status:404:on=1,2",
    "slow-download:2000",
    "slow-download:1500ms",
    "presign-status:413",
    "presign-status:503:flat",
    "upload-status:503:on=1,2",
    "upload-status:403",
    "slow-upload:2000ms:on=1"
  })
  void specsRoundTrip(String spec) {
    Fault f = Fault.parse(spec);
    assertThat(f.toString()).isEqualTo(spec);
    assertThat(Fault.parse(f.toString())).isEqualTo(f);
  }

  @Test
  void specsReadUnitsAndShortForms() {
    assertThat(Fault.parse("rate-limited:2s")).isEqualTo(Fault.rateLimited(Duration.ofSeconds(2)));
    assertThat(Fault.parse("hang:0.5s:n=4")).isEqualTo(Fault.hang(Duration.ofMillis(500)).onNthRequest(4));
    assertThat(Fault.parse("reset")).isEqualTo(Fault.resetConnection());
    assertThat(Fault.parse("slow-download:2s")).isEqualTo(Fault.slowDownload(Duration.ofSeconds(2)));
  }

  @Test
  void badSpecsSayWhatIsWrong() {
    assertThatThrownBy(() -> Fault.parse("explode")).hasMessageContaining("unknown fault 'explode'").hasMessageContaining("server-error");
    assertThatThrownBy(() -> Fault.parse("server-error")).hasMessageContaining("needs a status");
    assertThatThrownBy(() -> Fault.parse("server-error:404")).hasMessageContaining("5xx");
    assertThatThrownBy(() -> Fault.parse("server-error:abc")).hasMessageContaining("bad number");
    assertThatThrownBy(() -> Fault.parse("hang:5")).hasMessageContaining("needs a unit");
    assertThatThrownBy(() -> Fault.parse("server-error:500:sometimes")).hasMessageContaining("unknown modifier 'sometimes'");
    assertThatThrownBy(() -> Fault.parse("truncated-download:after")).hasMessageContaining("cannot fire after");
    assertThatThrownBy(() -> Fault.parse("hang:1s:http-date")).hasMessageContaining("rateLimited");
    assertThatThrownBy(() -> Fault.parse("server-error:500:p=2")).hasMessageContaining("[0, 1]");
  }

  @Test
  void theKindDecidesTheEndpoint() {
    assertThat(Fault.serverError(500).kind().onDownload()).isFalse();
    assertThat(Fault.hang(Duration.ofSeconds(1)).kind().onDownload()).isFalse();
    assertThat(Fault.truncatedDownload().kind().onDownload()).isTrue();
    assertThat(Fault.artifactStatus(403).kind().onDownload()).isTrue();
    assertThat(Fault.slowDownload(10).kind().onDownload()).isTrue();
    assertThat(Fault.serverError(500).kind().target()).isEqualTo(FaultKind.Target.IMAGE_OPERATION);
    assertThat(Fault.presignStatus(413).kind().target()).isEqualTo(FaultKind.Target.PRESIGN);
    assertThat(Fault.uploadStatus(503).kind().target()).isEqualTo(FaultKind.Target.UPLOAD);
    assertThat(Fault.slowUpload(Duration.ofSeconds(1)).kind().target()).isEqualTo(FaultKind.Target.UPLOAD);
    assertThat(Fault.parse("slow-upload:2s")).isEqualTo(Fault.slowUpload(Duration.ofSeconds(2)));
  }

  @Test
  void modifiersReplaceTheTrigger_andLeaveTheOriginalAlone() {
    Fault base = Fault.serverError(500);
    Fault nth = base.onNthRequest(3);
    Fault p = nth.probability(0.5);

    assertThat(base.probability()).isEqualTo(1.0);
    assertThat(base.requests()).isEmpty();
    assertThat(nth.requests()).containsExactly(3);
    assertThat(nth.probability()).isZero();
    assertThat(p.requests()).isEmpty();
    assertThat(p.probability()).isEqualTo(0.5);
    assertThat(Fault.malformedJson().firesAfterGeneration()).isTrue();
  }

  @Test
  void factoriesRejectNonsense() {
    assertThatThrownBy(() -> Fault.artifactStatus(500)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fault.hang(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fault.slowDownload(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fault.serverError(500).onRequests()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fault.serverError(500).onNthRequest(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fault.rateLimited(Duration.ofSeconds(1)).afterGeneration()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Fault.resetConnection().flatEnvelope()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Fault.presignStatus(200)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fault.uploadStatus(302)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fault.uploadStatus(503).afterGeneration()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Fault.uploadStatus(503).flatEnvelope()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Fault.parse("presign-status")).hasMessageContaining("needs a status such as 413");
  }
}
