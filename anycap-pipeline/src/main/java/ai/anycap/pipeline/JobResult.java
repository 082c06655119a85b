package ai.anycap.pipeline;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one job ended: {@link Succeeded}, {@link Failed} or {@link Skipped}. Switch over it:
 *
 * <pre>{@code
 * switch (result) {
 *   case JobResult.Succeeded s -> ...   // (Java 21 pattern switch; on 17 use instanceof)
 * }
 * }</pre>
 */
public sealed interface JobResult permits JobResult.Succeeded, JobResult.Failed, JobResult.Skipped {

  /** {@return the job's id} */
  String jobId();

  /** {@return requests made for the job (generation attempts); 0 when skipped or deduplicated} */
  int attempts();

  /** {@return the time from the job's start to its end} */
  Duration duration();

  /** {@return credits spent on the job, including on a generation whose download then failed} */
  BigDecimal credits();

  /**
   * The image is in place.
   *
   * @param job the job
   * @param outputs the files written, the first at the job's output key
   * @param model the model that made the image
   * @param credits credits charged (0 for a duplicate)
   * @param attempts generation attempts
   * @param duration time taken
   * @param requestId the server's request id, or null when none was sent
   * @param duplicateOf the id of the job whose identical image was copied, or null
   * @param receipts what each sink reported, in order
   */
  record Succeeded(
      ImageJob job,
      List<Path> outputs,
      String model,
      BigDecimal credits,
      int attempts,
      Duration duration,
      String requestId,
      String duplicateOf,
      List<SinkReceipt> receipts)
      implements JobResult {
    /**
     * A success; the lists are copied.
     *
     * @param job the job
     * @param outputs the files written
     * @param model the model that made the image
     * @param credits credits charged
     * @param attempts generation attempts
     * @param duration time taken
     * @param requestId the server's request id, or null
     * @param duplicateOf the id of the job whose image was copied, or null
     * @param receipts what each sink reported, in order
     */
    public Succeeded {
      Objects.requireNonNull(job, "job");
      outputs = List.copyOf(outputs);
      receipts = List.copyOf(receipts);
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(credits, "credits");
      Objects.requireNonNull(duration, "duration");
    }

    @Override
    public String jobId() {
      return job.id();
    }
  }

  /**
   * The job did not produce its image, or did not deliver it everywhere.
   *
   * @param job the job
   * @param errorCode the server's error code, or one of the SDK's ({@code TRANSPORT}, {@code
   *     DOWNLOAD_HTTP_STATUS}, {@code JOB_TIMEOUT}, {@code OUTPUT_FAILED}, {@code EMPTY_RESULT},
   *     {@code SINK_FAILED}, {@code HTTP_<status>} ...)
   * @param message what went wrong, for people
   * @param credits credits spent anyway (a generation whose download failed is still billed)
   * @param attempts generation attempts
   * @param duration time taken
   * @param outputs files kept: the image when only a sink failed ({@code SINK_FAILED}), else none
   * @param receipts receipts of the sinks that did deliver before one failed
   */
  record Failed(
      ImageJob job,
      String errorCode,
      String message,
      BigDecimal credits,
      int attempts,
      Duration duration,
      List<Path> outputs,
      List<SinkReceipt> receipts)
      implements JobResult {
    /**
     * A failure; the lists are copied.
     *
     * @param job the job
     * @param errorCode the server's error code, or one of the SDK's
     * @param message what went wrong, for people
     * @param credits credits spent anyway
     * @param attempts generation attempts
     * @param duration time taken
     * @param outputs files kept, or none
     * @param receipts receipts of the sinks that did deliver
     */
    public Failed {
      Objects.requireNonNull(job, "job");
      outputs = List.copyOf(outputs);
      receipts = List.copyOf(receipts);
      Objects.requireNonNull(errorCode, "errorCode");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(credits, "credits");
      Objects.requireNonNull(duration, "duration");
    }

    @Override
    public String jobId() {
      return job.id();
    }
  }

  /**
   * The job was not run, and nothing was spent on it.
   *
   * @param jobId the job's id, or its position when the entry could not be read
   * @param position where the entry came from
   * @param reason why it was skipped
   * @param message details, for people
   */
  record Skipped(String jobId, JobPosition position, SkipReason reason, String message)
      implements JobResult {
    /**
     * A job not run.
     *
     * @param jobId the job's id, or its position
     * @param position where the entry came from
     * @param reason why it was skipped
     * @param message details, for people
     */
    public Skipped {
      Objects.requireNonNull(jobId, "jobId");
      Objects.requireNonNull(position, "position");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public int attempts() {
      return 0;
    }

    @Override
    public Duration duration() {
      return Duration.ZERO;
    }

    @Override
    public BigDecimal credits() {
      return BigDecimal.ZERO;
    }
  }
}
