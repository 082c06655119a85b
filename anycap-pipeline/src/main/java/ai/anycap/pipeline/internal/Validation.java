package ai.anycap.pipeline.internal;

import static ai.anycap.pipeline.internal.PipelineSettings.DEDUPLICATE;
import static ai.anycap.pipeline.internal.PipelineSettings.SKIP_INVALID_ROWS;

import ai.anycap.pipeline.BatchValidationException;
import ai.anycap.pipeline.InvalidJobException;
import ai.anycap.pipeline.JobPosition;
import ai.anycap.pipeline.JobSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pass over a whole source before anything is spent: every entry reads and resolves, job ids
 * and output paths are unique, a dollar budget can price every model; and, for de-duplication,
 * which requests occur more than once. It keeps a fingerprint per entry (not the entry), and the
 * messages of the entries that cannot run.
 */
final class Validation implements SourceWalk.Visitor {

  private static final int LINE_BITS = 40;

  private final PipelineCore core;
  private final boolean deduplicate;
  private long entries;
  private long problemCount;
  private boolean unreadable;
  private final List<InvalidJobException> problems = new ArrayList<>();
  /** Entry number to what is wrong with it, for the dispatching pass. */
  private final Map<Long, String> invalid = new HashMap<>();
  // Dropped after the pass: the dispatching pass needs only the problems and the repeats.
  private Fingerprints ids = new Fingerprints();
  private Fingerprints outputs = new Fingerprints();
  private Fingerprints requests = new Fingerprints();
  private final Set<RequestDigest> repeated = new HashSet<>();
  /** The sources positions name, numbered, so that a position packs into a {@code long}. */
  private final Map<String, Integer> sourceNumbers = new HashMap<>();
  private final List<String> sources = new ArrayList<>();

  private Validation(PipelineCore core) {
    this.core = core;
    this.deduplicate = core.settings().get(DEDUPLICATE);
  }

  /** Checks every entry of {@code source}. */
  static Validation of(JobSource source, PipelineCore core) {
    Validation v = new Validation(core);
    try {
      v.entries = SourceWalk.walk(source, core.resolver(), v);
    } catch (InvalidJobException e) {
      // The source cannot be read at all (no header, missing file): no entry can run.
      v.add(0, e);
      v.unreadable = true;
    }
    v.ids = null;
    v.outputs = null;
    v.requests = null;
    return v;
  }

  @Override
  public void entry(long index, JobPlan plan) {
    JobPosition position = plan.position();
    try {
      long firstId = ids.putIfAbsent(plan.job().id(), pack(position));
      if (firstId != Fingerprints.ABSENT) {
        throw new InvalidJobException(position, "id",
            "duplicate job id '" + plan.job().id() + "', first at " + unpack(firstId));
      }
      long firstOutput = outputs.putIfAbsent(plan.output().toString(), pack(position));
      if (firstOutput != Fingerprints.ABSENT) {
        throw new InvalidJobException(position, "output key",
            "output key '" + plan.job().outputKey() + "' is also the output of " + unpack(firstOutput));
      }
      if (deduplicate) {
        RequestDigest digest = RequestDigest.of(plan.call());
        if (requests.putIfAbsent(digest.high(), digest.low(), 0) != Fingerprints.ABSENT) {
          repeated.add(digest);
        }
      }
      if (!core.spending().canPrice(plan.call())) {
        throw new InvalidJobException(position, "model", unpriced(plan.call()));
      }
      ReferenceCheck.check(plan, core.client().images());
    } catch (InvalidJobException e) {
      add(index, e);
    }
  }

  private static String unpriced(JobCall call) {
    String what = switch (call.operation()) {
      case GENERATE -> "model '" + call.model() + "'";
      case UPSCALE, READ -> call.operation().value();
      case EDIT -> "edit with model '" + call.model() + "'";
    };
    return what + " has no price in the price table, which a dollar budget needs";
  }

  @Override
  public void invalid(long index, String jobId, InvalidJobException problem) {
    add(index, problem);
  }

  private void add(long index, InvalidJobException e) {
    problemCount++;
    invalid.put(index, e.getMessage());
    if (problems.size() < BatchValidationException.MAX_PROBLEMS) {
      problems.add(e);
    }
  }

  /** How many entries the source has. */
  long entries() {
    return entries;
  }

  /** Whether the batch must not run: an entry is bad and bad entries are not to be skipped, or the source is unreadable. */
  boolean refuses() {
    return problemCount > 0 && (!core.settings().get(SKIP_INVALID_ROWS) || unreadable);
  }

  BatchValidationException refusal(String source) {
    return new BatchValidationException(source, problems, problemCount);
  }

  /** What is wrong with entry {@code index} (from 1), or null when nothing is. */
  String problemAt(long index) {
    return invalid.get(index);
  }

  /** The requests that occur more than once, for de-duplication. */
  Set<RequestDigest> repeatedRequests() {
    return repeated;
  }

  private long pack(JobPosition position) {
    int source = sourceNumbers.computeIfAbsent(position.source(), s -> {
      sources.add(s);
      return sources.size() - 1;
    });
    return ((long) source << LINE_BITS) | (position.line() & ((1L << LINE_BITS) - 1));
  }

  private JobPosition unpack(long packed) {
    return new JobPosition(sources.get((int) (packed >>> LINE_BITS)), packed & ((1L << LINE_BITS) - 1));
  }
}
