/**
 * HTTP delivery for an {@code ImagePipeline}: sinks that tell other systems about each finished
 * image, and a notifier for people.
 *
 * <ul>
 *   <li>{@link ai.anycap.sinks.CmsSink}: one request per image to a CMS or any HTTP API, its URL and
 *       body filled from the job's values and earlier sinks' receipts ({@code {s3.url}}).
 *   <li>{@link ai.anycap.sinks.WebhookSink}: a signed JSON event per image to your endpoint (the
 *       Standard Webhooks scheme); {@link ai.anycap.sinks.WebhookVerifier} checks it on the
 *       receiving side and throws {@link ai.anycap.sinks.WebhookVerificationException}.
 *   <li>{@link ai.anycap.sinks.SlackNotifier}: a {@code PipelineListener} that posts a batch's
 *       start, its failures and its summary to Slack, and never fails or slows the batch.
 * </ul>
 *
 * <p>Both sinks are {@link ai.anycap.sinks.HttpSink}s: one request per delivery, 2xx delivers, 429,
 * 5xx and transport failures are retryable (the pipeline retries them, under {@code sinkRetry}),
 * and no secret (token, webhook secret, Slack URL) appears in a log line, a message or {@code
 * toString()}. {@code ImageSink}, {@code Sinks.chain} and the delivery machinery (retries, the
 * journal, re-delivery on a rerun) belong to {@code anycap-pipeline}; this module only adds sinks.
 * Everything public lives in this package; {@code ai.anycap.sinks.internal} is not API.
 */
package ai.anycap.sinks;
