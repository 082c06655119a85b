package ai.anycap.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.AnyCapException;
import ai.anycap.sinks.WebhookVerificationException.Reason;
import ai.anycap.sinks.internal.WebhookSignatures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class WebhookVerifierTest {

  // The published Standard Webhooks test vector: any conforming library signs it the same way.
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final String TIMESTAMP = "1614265330";
  private static final String BODY = "{\"test\": 2432232314}";
  private static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  private static final Instant SENT = Instant.ofEpochSecond(Long.parseLong(TIMESTAMP));

  private static WebhookVerifier verifier(String... secrets) {
    return WebhookVerifier.create(List.of(secrets)).withClock(Clock.fixed(SENT.plusSeconds(10), ZoneOffset.UTC));
  }

  private static void assertRejected(ThrowingCallable call, Reason reason) {
    assertThatThrownBy(call)
        .isInstanceOf(WebhookVerificationException.class)
        .isInstanceOf(AnyCapException.class)
        .satisfies(e -> assertThat(((WebhookVerificationException) e).reason()).isEqualTo(reason))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  }

  @Test
  void signing_matchesTheStandardWebhooksTestVector() {
    byte[] key = WebhookSignatures.key(SECRET);
    assertThat(WebhookSignatures.signature(key, ID, TIMESTAMP, BODY)).isEqualTo(SIGNATURE);
  }

  @Test
  void verify_acceptsTheVector_fromHeadersInAnyCase() {
    assertThatCode(() -> verifier(SECRET).verify(ID, TIMESTAMP, SIGNATURE, BODY)).doesNotThrowAnyException();
    Map<String, List<String>> headers =
        Map.of("Webhook-Id", List.of(ID), "WEBHOOK-TIMESTAMP", List.of(TIMESTAMP), "webhook-signature", List.of(SIGNATURE));
    assertThatCode(() -> verifier(SECRET).verify(headers, BODY)).doesNotThrowAnyException();
  }

  @Test
  void aTamperedBody_isRejected() {
    assertRejected(() -> verifier(SECRET).verify(ID, TIMESTAMP, SIGNATURE, "{\"test\": 2432232315}"), Reason.NO_MATCHING_SIGNATURE);
    assertRejected(() -> verifier(SECRET).verify("msg_other", TIMESTAMP, SIGNATURE, BODY), Reason.NO_MATCHING_SIGNATURE);
  }

  @Test
  void aWrongSecret_isRejected() {
    assertRejected(() -> verifier("whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB").verify(ID, TIMESTAMP, SIGNATURE, BODY),
        Reason.NO_MATCHING_SIGNATURE);
    assertRejected(() -> verifier("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").verify(ID, TIMESTAMP, SIGNATURE, BODY),
        Reason.NO_MATCHING_SIGNATURE);
  }

  @Test
  void aStaleOrFutureTimestamp_isRejected_evenWithAValidSignature() {
    WebhookVerifier later = WebhookVerifier.create(SECRET).withClock(Clock.fixed(SENT.plus(Duration.ofMinutes(6)), ZoneOffset.UTC));
    WebhookVerifier earlier = WebhookVerifier.create(SECRET).withClock(Clock.fixed(SENT.minus(Duration.ofMinutes(6)), ZoneOffset.UTC));

    assertRejected(() -> later.verify(ID, TIMESTAMP, SIGNATURE, BODY), Reason.TIMESTAMP_TOO_OLD);
    assertRejected(() -> earlier.verify(ID, TIMESTAMP, SIGNATURE, BODY), Reason.TIMESTAMP_TOO_NEW);
    assertThatCode(() -> later.withTolerance(Duration.ofMinutes(10)).verify(ID, TIMESTAMP, SIGNATURE, BODY))
        .doesNotThrowAnyException();
    assertRejected(() -> verifier(SECRET).verify(ID, "yesterday", SIGNATURE, BODY), Reason.INVALID_TIMESTAMP);
    assertRejected(() -> verifier(SECRET).verify(ID, Long.toString(Long.MIN_VALUE), SIGNATURE, BODY), Reason.TIMESTAMP_TOO_OLD);
  }

  @Test
  void missingHeaders_areRejected() {
    assertRejected(() -> verifier(SECRET).verify(null, TIMESTAMP, SIGNATURE, BODY), Reason.MISSING_HEADER);
    assertRejected(() -> verifier(SECRET).verify(ID, null, SIGNATURE, BODY), Reason.MISSING_HEADER);
    assertRejected(() -> verifier(SECRET).verify(Map.of("webhook-id", List.of(ID), "webhook-timestamp", List.of(TIMESTAMP)), BODY),
        Reason.MISSING_HEADER);
  }

  @Test
  void keyRotation_acceptsEitherSecret_andAnyOfSeveralSignatures() {
    String oldSecret = "an old plain-text secret";
    String other = WebhookSignatures.signature(WebhookSignatures.key(oldSecret), ID, TIMESTAMP, BODY);

    WebhookVerifier both = verifier(oldSecret, SECRET);
    assertThatCode(() -> both.verify(ID, TIMESTAMP, SIGNATURE, BODY)).doesNotThrowAnyException();
    assertThatCode(() -> both.verify(ID, TIMESTAMP, other, BODY)).doesNotThrowAnyException();
    assertRejected(() -> verifier(oldSecret).verify(ID, TIMESTAMP, SIGNATURE, BODY), Reason.NO_MATCHING_SIGNATURE);

    // A sender mid-rotation signs with both; a receiver with only one secret still matches.
    String twoSignatures = "v1,bm9wZQ== v1a,ignored-other-scheme v1,###  " + SIGNATURE;
    assertThatCode(() -> verifier(SECRET).verify(ID, TIMESTAMP, twoSignatures, BODY)).doesNotThrowAnyException();
    assertRejected(() -> verifier(SECRET).verify(ID, TIMESTAMP, "v2," + SIGNATURE.substring(3), BODY), Reason.NO_MATCHING_SIGNATURE);
  }

  @Test
  void secrets_areCheckedWithoutBeingQuoted() {
    assertThatThrownBy(() -> WebhookVerifier.create("whsec_%%%s3cr3t"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> WebhookVerifier.create("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WebhookVerifier.create(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WebhookVerifier.fromEnv("NOT_SET_ANYWHERE", Map.of())).hasMessageContaining("NOT_SET_ANYWHERE");
    assertThat(verifier(SECRET).toString()).doesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  }
}
