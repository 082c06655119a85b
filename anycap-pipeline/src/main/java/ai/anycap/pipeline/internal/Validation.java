package ai.anycap.pipeline.internal;

import static ai.anycap.pipeline.internal.PipelineSettings.BALANCE_CHECK;
import static ai.anycap.pipeline.internal.PipelineSettings.BUDGET;
import static ai.anycap.pipeline.internal.PipelineSettings.DEDUPLICATE;
import static ai.anycap.pipeline.internal.PipelineSettings.MAX_PROMPT_LENGTH;
import static ai.anycap.pipeline.internal.PipelineSettings.OUTPUT_ROOT;
import static ai.anycap.pipeline.internal.PipelineSettings.SCHEMA_CHECK;
import static ai.anycap.pipeline.internal.PipelineSettings.SKIP_INVALID_ROWS;

import ai.anycap.pipeline.BatchCheck;
import ai.anycap.pipeline.BatchValidationException;
import ai.anycap.pipeline.Budget;
import ai.anycap.pipeline.InvalidJobException;
import ai.anycap.pipeline.JobPosition;
import ai.anycap.pipeline.JobSource;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The pass over a whole source before anything is spent: every entry reads and resolves, job ids
 * and output paths are unique, a dollar budget can price every model, prompts are within the
 * limit, output paths stay under the root on disk, parameters fit their model's schema; then, for
 * the batch as a whole, the output root can be written, some job fits the budget, and the balance
 * covers the estimate. Every problem found is kept, to be reported together. For de-duplication,
 * it also finds which requests occur more than once. It keeps a fingerprint per entry (not the
 * entry), and the messages of the entries that cannot run.
 */
final class Validation implements SourceWalk.Visitor {

  private static final int LINE_BITS = 40;
  private static final int MAX_WARNINGS = 20;

  private final PipelineCore core;
  private final boolean deduplicate;
  private final int maxPromptLength;
  private long entries;
  private long problemCount;
  private boolean unreadable;
  /** Problems of the whole batch: no entry can run, whatever skipInvalidRows says. */
  private int batchProblems;
  private final List<InvalidJobException> problems = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  /** Entry number to what is wrong with it, for the dispatching pass. */
  private final Map<Long, String> invalid = new HashMap<>();
  // Dropped after the pass: the dispatching pass needs only the problems and the repeats.
  private Fingerprints ids = new Fingerprints();
  private Fingerprints outputs = new Fingerprints();
  private Fingerprints requests = new Fingerprints();
  private OutputLocations locations;
  private SchemaChecks schemas;
  private final Set<RequestDigest> repeated = new HashSet<>();
  /** The sources positions name, numbered, so that a position packs into a {@code long}. */
  private final Map<String, Integer> sourceNumbers = new HashMap<>();
  private final List<String> sources = new ArrayList<>();
  /** What the cheapest valid job is expected to cost, in the budget's unit; null before one. */
  private BigDecimal cheapest;

  private Validation(PipelineCore core) {
    this.core = core;
    this.deduplicate = core.settings().get(DEDUPLICATE);
    this.maxPromptLength = core.settings().get(MAX_PROMPT_LENGTH);
    this.locations = new OutputLocations(core.resolver().outputs());
    this.schemas = core.settings().get(SCHEMA_CHECK) ? new SchemaChecks(core.client(), this::warn) : null;
  }

  /** Checks every entry of {@code source}, then the batch as a whole. */
  static Validation of(JobSource source, PipelineCore core) {
    Validation v = new Validation(core);
    String root = v.locations.rootProblem();
    if (root != null) {
      v.addBatchProblem(OUTPUT_ROOT, root);
    }
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
    v.locations = null;
    v.schemas = null;
    v.checkBudget();
    if (!v.refuses() && core.settings().get(BALANCE_CHECK)) {
      String shortfall = BalanceCheck.shortfall(core, source, v.entries - v.invalid.size());
      if (shortfall != null) {
        v.addBatchProblem(BALANCE_CHECK, shortfall);
      }
    }
    return v;
  }

  /**
   * Refuses a job whose prompt is longer than {@code max} characters.
   *
   * @throws InvalidJobException naming the prompt field
   */
  static void checkPrompt(JobPlan plan, int max) {
    if (!(plan.call() instanceof JobCall.Image image)) {
      return; // an upscale sends no prompt
    }
    String prompt = image.request().prompt();
    if (prompt.length() > max && prompt.codePointCount(0, prompt.length()) > max) {
      throw new InvalidJobException(plan.position(), "prompt", String.format(Locale.ROOT,
          "the prompt is %,d characters long, over the limit of %,d (maxPromptLength); most likely a cell"
              + " that swallowed the rows after it, or text pasted by mistake",
          prompt.codePointCount(0, prompt.length()), max));
    }
  }

  private void checkBudget() {
    Budget budget = core.settings().get(BUDGET);
    if (budget.isLimited() && cheapest != null && cheapest.compareTo(budget.limit()) > 0) {
      addBatchProblem(BUDGET, "no job fits in a budget of " + budget.limit().toPlainString()
          + (budget.unit() == Budget.Unit.USD ? " dollars" : " credits") + ": the cheapest job is expected to cost "
          + cheapest.toPlainString());
    }
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
      checkPrompt(plan, maxPromptLength);
      locations.check(plan);
      if (schemas != null) {
        schemas.check(plan);
      }
      BigDecimal cost = core.spending().expectedCost(plan.call());
      if (cost != null && (cheapest == null || cost.compareTo(cheapest) < 0)) {
        cheapest = cost;
      }
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

  /** Adds a problem of the whole batch, ahead of the entries' problems, at the setting concerned. */
  private void addBatchProblem(PipelineSettings.Key<?> setting, String problem) {
    problemCount++;
    problems.add(batchProblems++, new InvalidJobException(new JobPosition(setting.name(), 0), null, problem));
    if (problems.size() > BatchValidationException.MAX_PROBLEMS) {
      problems.remove(problems.size() - 1);
    }
  }

  private void warn(String warning) {
    if (warnings.size() < MAX_WARNINGS) {
      warnings.add(warning);
    }
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

  /**
   * Whether the batch must not run: an entry is bad and bad entries are not to be skipped, the
   * source is unreadable, or no entry can run as the pipeline is set up.
   */
  boolean refuses() {
    return batchProblems > 0 || problemCount > 0 && (!core.settings().get(SKIP_INVALID_ROWS) || unreadable);
  }

  /** What the pass found, for a batch that would run. */
  BatchCheck result() {
    return new BatchCheck(entries, invalid.size(), warnings);
  }

  /** What could not be checked, such as a schema that could not be fetched. */
  List<String> warnings() {
    return warnings;
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
