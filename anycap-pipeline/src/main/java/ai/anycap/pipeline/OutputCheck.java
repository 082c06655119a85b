package ai.anycap.pipeline;

/**
 * How a rerun makes sure that an image the journal records is still there before it skips the
 * job. Every check also requires the file to exist and the job's request and output key to be the
 * ones recorded; a job that fails the check is made again (and paid for again).
 *
 * <p>The default, {@link #SIZE}, reads no image: a copy or a backup restore that does not keep
 * modification times must not make a rerun pay for every image again. {@link #SHA256} reads every
 * recorded image in full when the journal is opened (100 GB at 100,000 real images).
 */
public enum OutputCheck {
  /** The file exists with the recorded size. The default. */
  SIZE,
  /** The file exists with the recorded size and modification time. */
  SIZE_AND_TIME,
  /**
   * The file exists with the recorded size and SHA-256; new journal lines record the SHA-256 of
   * every image (one more read of each file as its job ends).
   */
  SHA256
}
