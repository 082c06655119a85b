package ai.anycap.pipeline;

/** Why a job was not run. None of these spent anything. */
public enum SkipReason {
  /** The journal says this job already succeeded in an earlier run. */
  ALREADY_DONE,
  /** The budget would have been exceeded. */
  BUDGET,
  /**
   * The batch stopped early because every remaining job would have failed the same way: the key
   * was refused (401), lacks access (403), or the account ran out of credit (402).
   */
  HALTED,
  /** The run was cancelled or the pipeline closed before the job started. */
  CANCELLED,
  /** The entry was malformed and {@code skipInvalidRows()} was set. */
  INVALID
}
