package ai.anycap.batch;

import ai.anycap.pipeline.BatchEstimate;
import ai.anycap.pipeline.ImageSink;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.s3.S3Sink;
import ai.anycap.sinks.CmsSink;
import ai.anycap.sinks.SlackNotifier;
import ai.anycap.sinks.WebhookSink;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

/**
 * The sinks and listeners that {@link DeliveryOptions} ask for, in delivery order: S3, then the
 * CMS (which gets the S3 URL as {@code {s3.url}}), then the webhook; Slack hears the batch start
 * and end. Secrets are read from the variables the flags name, through {@link CliEnvironment}.
 */
final class Deliveries implements AutoCloseable {

  static final String DEFAULT_CMS_BODY = "{\"image_url\":\"{s3.url}\"}";

  final List<ImageSink> sinks;
  final List<PipelineListener> listeners;
  private final List<AutoCloseable> resources;

  private Deliveries(List<ImageSink> sinks, List<PipelineListener> listeners, List<AutoCloseable> resources) {
    this.sinks = List.copyOf(sinks);
    this.listeners = List.copyOf(listeners);
    this.resources = resources;
  }

  /**
   * @throws BadInputException when the flags do not fit together, or a named variable is unset
   */
  static Deliveries create(DeliveryOptions o, CliEnvironment env, BatchEstimate estimate) {
    o.check(env);
    List<ImageSink> sinks = new ArrayList<>();
    List<PipelineListener> listeners = new ArrayList<>();
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      if (o.s3Bucket != null) {
        S3AsyncClientBuilder cb = S3AsyncClient.builder();      // credentials and region: AWS_* variables
        if (o.s3Endpoint != null) {
          cb.endpointOverride(o.s3Endpoint).forcePathStyle(true);
        }
        S3AsyncClient s3 = cb.build();
        resources.add(s3);
        S3Sink.Builder sb = S3Sink.builder().client(s3).bucket(o.s3Bucket);
        if (o.s3Prefix != null) {
          sb.prefix(o.s3Prefix);
        }
        sinks.add(sb.build());
      }
      if (o.cmsUrl != null) {
        CmsSink.Builder cb = CmsSink.builder()
            .urlTemplate(o.cmsUrl)
            .bodyTemplate(o.cmsBody != null ? o.cmsBody : DEFAULT_CMS_BODY);
        if (o.cmsTokenEnv != null) {
          String variable = o.cmsTokenEnv;
          cb.bearerToken(() -> env.variable(variable));
        }
        sinks.add(cb.build());
      }
      if (o.webhook != null) {
        sinks.add(WebhookSink.builder().url(o.webhook).secret(env.variable(o.webhookSecretEnv)).build());
      }
      if (o.slackWebhookEnv != null) {
        listeners.add(SlackNotifier.builder()
            .webhookUrl(secretUrl(env, o.slackWebhookEnv))
            .title("anycap-batch")
            .estimate(estimate)
            .build());
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      closeAll(resources);
      // The builders' messages name settings, never secret values.
      throw new BadInputException(e.getMessage(), e);
    }
    return new Deliveries(sinks, listeners, resources);
  }

  /** The URL in a variable; a malformed one is refused without repeating it (it is a secret). */
  private static URI secretUrl(CliEnvironment env, String variable) {
    try {
      URI u = URI.create(env.variable(variable).strip());
      if (u.getScheme() == null || u.getHost() == null) {
        throw new IllegalArgumentException();
      }
      return u;
    } catch (IllegalArgumentException e) {
      throw new BadInputException("the environment variable " + variable + " does not hold a valid http(s) URL");
    }
  }

  @Override
  public void close() {
    closeAll(resources);
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception ignored) {
        // closing an idle client: nothing to report
      }
    }
  }
}
