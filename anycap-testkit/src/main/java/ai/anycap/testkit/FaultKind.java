package ai.anycap.testkit;

/**
 * What goes wrong when a {@link Fault} fires, and the endpoints it hits ({@link Target}).
 */
public enum FaultKind {
  /** A 5xx answer with an error envelope. */
  SERVER_ERROR("server-error", Target.IMAGE_OPERATION),
  /** A 429 answer with {@code Retry-After}. */
  RATE_LIMITED("rate-limited", Target.IMAGE_OPERATION),
  /** A 500 answer whose envelope says {@code retry_same_request: false}. */
  DO_NOT_RETRY("do-not-retry", Target.IMAGE_OPERATION),
  /** The connection is closed without an answer. */
  RESET_CONNECTION("reset-connection", Target.IMAGE_OPERATION),
  /** No answer for a while, then the normal one. */
  HANG("hang", Target.IMAGE_OPERATION),
  /** A 200 answer whose JSON body is cut short. */
  MALFORMED_JSON("malformed-json", Target.IMAGE_OPERATION),
  /** An artifact body shorter than its {@code Content-Length}. */
  TRUNCATED_DOWNLOAD("truncated-download", Target.DOWNLOAD),
  /** A 403 or 404 on the artifact URL. */
  ARTIFACT_STATUS("artifact-status", Target.DOWNLOAD),
  /** An artifact body sent at a throttled rate. */
  SLOW_DOWNLOAD("slow-download", Target.DOWNLOAD),
  /** An error status on the presign call, such as 413 {@code FILE_TOO_LARGE}. */
  PRESIGN_STATUS("presign-status", Target.PRESIGN),
  /** An error status on the {@code PUT} of an upload's bytes; nothing is stored. */
  UPLOAD_STATUS("upload-status", Target.UPLOAD),
  /** The {@code PUT} of an upload's bytes is answered late (stored as usual). */
  SLOW_UPLOAD("slow-upload", Target.UPLOAD);

  private final String spec;
  private final Target target;

  FaultKind(String spec, Target target) {
    this.spec = spec;
    this.target = target;
  }

  /**
   * The endpoints this kind hits.
   *
   * @return the target
   */
  public Target target() {
    return target;
  }

  /**
   * Whether this kind hits artifact downloads.
   *
   * @return true for download faults
   */
  public boolean onDownload() {
    return target == Target.DOWNLOAD;
  }

  /**
   * The name used in specs, such as {@code server-error}.
   *
   * @return the kind's name in {@link Fault#parse(String)} specs
   */
  public String specName() {
    return spec;
  }

  /** The endpoints a fault hits. */
  public enum Target {
    /** Generate, edit, upscale and read. */
    IMAGE_OPERATION,
    /** Artifact downloads. */
    DOWNLOAD,
    /** {@code POST /v1/capabilities/presign}. */
    PRESIGN,
    /** The {@code PUT} of an upload's bytes. */
    UPLOAD
  }
}
