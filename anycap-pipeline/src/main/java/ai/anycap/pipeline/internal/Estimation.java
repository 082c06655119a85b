package ai.anycap.pipeline.internal;

import static ai.anycap.pipeline.internal.PipelineSettings.DEDUPLICATE;

import ai.anycap.client.UploadException;
import ai.anycap.pipeline.BatchEstimate;
import ai.anycap.pipeline.InvalidJobException;
import ai.anycap.pipeline.JobSource;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What running a source would cost, without sending anything: each entry goes through the same
 * {@link Admission} rule as in a run (done: counted apart; kept image or earlier answer: delivered
 * or downloaded, free; else: generated), and with de-duplication on, a request that an earlier entry also makes is paid for
 * once.
 */
final class Estimation implements SourceWalk.Visitor {

  private final PipelineCore core;
  private final boolean deduplicate;
  private final Fingerprints requests = new Fingerprints();
  private long jobs;
  private long done;
  private long invalid;
  private long duplicates;
  private final Map<String, Long> byModel = new TreeMap<>();
  private BigDecimal credits = BigDecimal.ZERO;
  private BigDecimal usd = BigDecimal.ZERO;
  private final Set<String> unpriced = new TreeSet<>();

  private Estimation(PipelineCore core) {
    this.core = core;
    this.deduplicate = core.settings().get(DEDUPLICATE);
  }

  /**
   * The estimate for {@code source}.
   *
   * @throws InvalidJobException when the source cannot be opened at all
   */
  static BatchEstimate of(JobSource source, PipelineCore core) {
    Estimation e = new Estimation(core);
    SourceWalk.walk(source, core.resolver(), e);
    return new BatchEstimate(e.jobs, e.done, e.invalid, e.duplicates, e.byModel, e.credits, e.usd,
        new ArrayList<>(e.unpriced));
  }

  @Override
  public void entry(long index, JobPlan plan) {
    Journal journal = core.journal();
    Admission admission;
    try {
      admission = Admission.of(journal, plan, journal.fingerprint(plan), core.resolver().outputs().root(), null);
    } catch (UploadException e) {
      invalid++; // a reference file that cannot be read: the run would refuse the entry
      return;
    }
    if (admission instanceof Admission.AlreadyDone) {
      done++;
      return;
    }
    jobs++;
    String model = plan.call().model();
    byModel.merge(model, 1L, Long::sum);
    if (admission instanceof Admission.Deliver || admission instanceof Admission.Resume) {
      return; // the image exists, or was paid for already: fetching it costs nothing
    }
    RequestDigest digest = RequestDigest.of(plan.call());
    if (requests.putIfAbsent(digest.high(), digest.low(), 0) != Fingerprints.ABSENT) {
      duplicates++;
      if (deduplicate) {
        return;
      }
    }
    credits = credits.add(core.spending().expectedCredits(plan.call()));
    BigDecimal price = core.spending().usd(plan.call(), 1);
    if (price.signum() == 0) {
      unpriced.add(model);
    }
    usd = usd.add(price);
  }

  @Override
  public void invalid(long index, String jobId, InvalidJobException problem) {
    invalid++;
  }
}
