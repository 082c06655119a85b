/**
 * Batches of image jobs on AnyCap, from 5 to 100,000, reliably and within bounds.
 *
 * <p>The entry point is {@link ai.anycap.pipeline.ImagePipeline}: build one with {@link
 * ai.anycap.pipeline.ImagePipeline#builder()}, then {@code run} a {@link
 * ai.anycap.pipeline.JobSource} (a batch), {@code work} a {@link ai.anycap.pipeline.QueueConsumer}
 * (a queue worker), {@code submit} one {@link ai.anycap.pipeline.ImageJob}, or {@code estimate}
 * what a batch would cost. What goes in and comes out:
 *
 * <ul>
 *   <li>Jobs: {@link ai.anycap.pipeline.ImageJob}, read from a {@link ai.anycap.pipeline.JobSource}
 *       one at a time by a {@link ai.anycap.pipeline.JobReader}: {@link
 *       ai.anycap.pipeline.CsvJobSource} and {@link ai.anycap.pipeline.JsonLinesJobSource} (both
 *       {@link ai.anycap.pipeline.FileJobSource}s), {@code JobSource.of(collection)}, or your own.
 *       A job generates, edits or upscales ({@link ai.anycap.client.ImageOperation}), with
 *       reference images that may be local files (checked before anything is spent, uploaded once
 *       per batch). A malformed entry is an {@link ai.anycap.pipeline.InvalidJobException} naming its {@link
 *       ai.anycap.pipeline.JobPosition}; a batch with one is refused with a {@link
 *       ai.anycap.pipeline.BatchValidationException} before anything is spent.
 *   <li>Limits: {@link ai.anycap.pipeline.Retry} for requests and deliveries, {@link
 *       ai.anycap.pipeline.Budget} for spending, {@link ai.anycap.pipeline.RequestPace} for the
 *       learned request rate.
 *   <li>Results: each job ends as a {@link ai.anycap.pipeline.JobResult} (sealed: succeeded,
 *       failed, or skipped for a {@link ai.anycap.pipeline.SkipReason}); a run ends with a {@link
 *       ai.anycap.pipeline.BatchReport}; {@link ai.anycap.pipeline.BatchEstimate} is what a batch
 *       would cost. A {@link ai.anycap.pipeline.PipelineListener} hears it all as it happens.
 *   <li>Delivery: an {@link ai.anycap.pipeline.ImageSink} takes each finished {@link
 *       ai.anycap.pipeline.DeliveredImage} somewhere and answers with a {@link
 *       ai.anycap.pipeline.SinkReceipt}, or fails with a {@link ai.anycap.pipeline.SinkException};
 *       {@link ai.anycap.pipeline.Sinks#chain} runs several in order. The HTTP sinks are in
 *       {@code anycap-sinks}, S3 in {@code anycap-s3}.
 *   <li>Many workers: a {@link ai.anycap.pipeline.JobQueue} hands {@link
 *       ai.anycap.pipeline.QueuedJob}s to each worker's {@link ai.anycap.pipeline.QueueConsumer};
 *       a {@link ai.anycap.pipeline.SharedPace} gives the workers of one account one pace, so that
 *       together they keep under its rate limit. {@code anycap-redis} provides both.
 *   <li>Reruns: with a journal, a rerun skips the jobs that succeeded and delivers the images that
 *       were kept but not delivered; a journal that cannot be read is a {@link
 *       ai.anycap.pipeline.JournalException}.
 * </ul>
 *
 * <p>Everything public lives in this package; {@code ai.anycap.pipeline.internal} is not API and
 * may change in any release.
 */
package ai.anycap.pipeline;
