package ai.anycap.batch;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Where finished images go besides the output directory: S3, a CMS, a webhook, and a Slack
 * message when the batch starts and ends. Secrets (the Slack webhook URL, the webhook signing
 * secret, the CMS token, AWS credentials) are read only from environment variables, named by the
 * flags: a flag's value lands in shell history, a variable's does not.
 */
final class DeliveryOptions {

  @Option(names = "--s3-bucket", paramLabel = "BUCKET",
      description = "Upload each image to this S3 bucket (AWS credentials and region from the usual AWS_* variables).")
  String s3Bucket;

  @Option(names = "--s3-prefix", paramLabel = "PREFIX",
      description = "Put this before each object key, such as products/; the key is the output key.")
  String s3Prefix;

  @Option(names = "--s3-endpoint", paramLabel = "URL",
      description = "An S3-compatible endpoint (MinIO, R2) instead of AWS.")
  URI s3Endpoint;

  @Option(names = "--cms-url", paramLabel = "TEMPLATE",
      description = "PATCH each image's URL to the CMS at this URL, from the row: https://cms.example.com/api/products/{sku}.")
  String cmsUrl;

  @Option(names = "--cms-body", paramLabel = "TEMPLATE",
      description = "The CMS request body; default {\"image_url\":\"{s3.url}\"} (the S3 URL of the image).")
  String cmsBody;

  @Option(names = "--cms-token-env", paramLabel = "VAR",
      description = "The environment variable holding the CMS bearer token, such as CMS_TOKEN.")
  String cmsTokenEnv;

  @Option(names = "--webhook", paramLabel = "URL",
      description = "POST a signed JSON event for each image to this URL.")
  URI webhook;

  @Option(names = "--webhook-secret-env", paramLabel = "VAR",
      description = "The environment variable holding the webhook signing secret.")
  String webhookSecretEnv;

  @Option(names = "--slack-webhook-env", paramLabel = "VAR",
      description = "The environment variable holding a Slack incoming-webhook URL, to post when the batch starts and ends.")
  String slackWebhookEnv;

  /** Whether any delivery is asked for. */
  boolean any() {
    return s3Bucket != null || cmsUrl != null || webhook != null || slackWebhookEnv != null;
  }

  /** Where images will go, for people; names no secret. */
  String describe() {
    List<String> where = new ArrayList<>();
    if (s3Bucket != null) {
      where.add("s3://" + s3Bucket + "/" + (s3Prefix == null ? "" : s3Prefix));
    }
    if (cmsUrl != null) {
      where.add("the CMS at " + cmsUrl);
    }
    if (webhook != null) {
      where.add("the webhook " + webhook);
    }
    if (slackWebhookEnv != null) {
      where.add("Slack (" + slackWebhookEnv + ")");
    }
    return String.join(", ", where);
  }

  /**
   * Checks that the flags fit together and that every variable they name is set, before anything
   * is sent. Messages name variables, never their values.
   *
   * @throws BadInputException when they do not
   */
  void check(CliEnvironment env) {
    if (s3Bucket == null && (s3Prefix != null || s3Endpoint != null)) {
      throw new BadInputException((s3Prefix != null ? "--s3-prefix" : "--s3-endpoint") + " needs --s3-bucket");
    }
    if (cmsUrl == null && (cmsBody != null || cmsTokenEnv != null)) {
      throw new BadInputException((cmsBody != null ? "--cms-body" : "--cms-token-env") + " needs --cms-url");
    }
    if (cmsUrl != null && cmsBody == null && s3Bucket == null) {
      throw new BadInputException(
          "--cms-url sends the image's S3 URL by default, so it needs --s3-bucket, or a --cms-body of its own");
    }
    if (webhook == null && webhookSecretEnv != null) {
      throw new BadInputException("--webhook-secret-env needs --webhook URL");
    }
    if (webhook != null && webhookSecretEnv == null) {
      throw new BadInputException(
          "--webhook needs --webhook-secret-env VAR, the environment variable holding its signing secret");
    }
    if (webhook != null && !"https".equalsIgnoreCase(webhook.getScheme()) && !"http".equalsIgnoreCase(webhook.getScheme())) {
      throw new BadInputException("--webhook must be an http(s) URL, got " + webhook);
    }
    requireSet(env, webhookSecretEnv, "--webhook-secret-env");
    requireSet(env, cmsTokenEnv, "--cms-token-env");
    requireSet(env, slackWebhookEnv, "--slack-webhook-env");
  }

  private static void requireSet(CliEnvironment env, String variable, String flag) {
    if (variable == null) {
      return;
    }
    if (variable.startsWith("http://") || variable.startsWith("https://") || variable.length() > 64) {
      throw new BadInputException(flag + " takes the NAME of an environment variable, not its value;"
          + " put the secret in a variable (export MY_VAR=...) and pass " + flag + " MY_VAR");
    }
    if (env.variable(variable) == null) {
      throw new BadInputException(flag + " " + variable + ": the environment variable " + variable + " is not set");
    }
  }
}
