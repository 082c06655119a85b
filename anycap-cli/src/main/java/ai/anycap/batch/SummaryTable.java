package ai.anycap.batch;

import ai.anycap.pipeline.BatchEstimate;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.Budget;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.SkipReason;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The tables the CLI prints: a run's summary and a batch's estimate. Plain text, aligned. */
final class SummaryTable {

  /** Failures listed in full under the summary; the gallery has all of them. */
  static final int LISTED_FAILURES = 10;

  private final List<String[]> rows = new ArrayList<>();

  private SummaryTable() {}

  private SummaryTable row(String name, String value) {
    rows.add(new String[] {name, value});
    return this;
  }

  private String render() {
    int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
    StringBuilder s = new StringBuilder();
    for (String[] r : rows) {
      if (s.length() > 0) {
        s.append('\n');
      }
      s.append("  ").append(r[0]).append(" ".repeat(width - r[0].length() + 3)).append(r[1]);
    }
    return s.toString();
  }

  /**
   * The summary of a finished run, from its report and the ledger's counters: the counts, money,
   * time, and the first failures in full (the report keeps the first {@value
   * BatchReport#MAX_LISTED_FAILURES}; the gallery lists them all).
   */
  static String ofRun(BatchReport r, RunLedger ledger, boolean simulated, Path gallery, Path manifest) {
    SummaryTable t = new SummaryTable();
    t.row("jobs", Long.toString(r.total()))
        .row("succeeded", Long.toString(r.succeeded()))
        .row("failed", Long.toString(r.failed()));
    StringBuilder skipped = new StringBuilder(Long.toString(r.skipped()));
    if (r.skipped() > 0) {
      List<String> why = new ArrayList<>();
      for (Map.Entry<SkipReason, Long> e : r.skippedByReason().entrySet()) {
        why.add(e.getValue() + " " + reason(e.getKey()));
      }
      skipped.append(" (").append(String.join(", ", why)).append(')');
    }
    t.row("skipped", skipped.toString())
        .row("retries", Long.toString(r.retries()))
        .row("credits", plain(r.credits()) + (simulated
            ? " simulated credits: nothing was spent"
            : " (~" + Money.usd(r.estimatedCostUsd()) + ")"));
    if (ledger.copies() > 0) {
      t.row("copies", ledger.copies() + (ledger.copies() == 1 ? " row shares" : " rows share")
          + " a request with an earlier row: copied, not generated (saved " + ledger.copies() + " credits"
          + (simulated || ledger.copiesUsd().signum() == 0 ? "" : ", ~" + Money.usd(ledger.copiesUsd())) + ")");
    }
    t
        .row("wall time", String.format(Locale.ROOT, "%.1f s (%.2f images/s)", r.wallTime().toMillis() / 1000.0,
            r.imagesPerSecond()));
    BatchReport.PossiblyBilled uncertain = r.possiblyBilled();
    if (uncertain.attempts() > 0) {
      t.row("possibly billed", uncertain.attempts() + " attempt(s) got no answer and may have been billed: up to "
          + plain(uncertain.credits()) + " more credits" + (simulated ? "" : " (~" + Money.usd(uncertain.usd()) + ")"));
    }
    BatchReport.Resumption rs = r.resumption();
    if (!rs.equals(BatchReport.Resumption.NONE)) {
      List<String> what = new ArrayList<>();
      count(what, rs.changed(), "changed since the manifest recorded them, run again");
      count(what, rs.outputsRemade(), "image(s) missing or changed, made again");
      count(what, rs.downloadsResumed(), "paid image(s) downloaded, not generated again");
      count(what, rs.answersExpired(), "earlier answer(s) expired, generated again");
      count(what, rs.tempFilesRemoved(), "temporary file(s) of a killed run removed");
      t.row("from earlier runs", String.join("; ", what));
    }
    r.haltReason().ifPresent(h -> t.row("stopped", h));
    if (gallery != null) {
      t.row("gallery", gallery.toString());
    }
    t.row("manifest", manifest.toString());
    StringBuilder s = new StringBuilder(headline(r, simulated)).append('\n').append(t.render());
    int shown = 0;
    for (JobResult.Failed f : r.failures()) {
      if (shown++ == LISTED_FAILURES) {
        break;
      }
      s.append(String.format(Locale.ROOT, "%n  FAILED %s [%s] %s", f.jobId(), f.errorCode(),
          ErrorText.withoutCode(f.errorCode(), f.message())));
    }
    if (r.failed() > Math.min(LISTED_FAILURES, r.failures().size())) {
      s.append(String.format(Locale.ROOT, "%n  ... and %d more failures: see the gallery",
          r.failed() - Math.min(LISTED_FAILURES, r.failures().size())));
    }
    return s.toString();
  }

  private static void count(List<String> into, long n, String what) {
    if (n > 0) {
      into.add(n + " " + what);
    }
  }

  private static String headline(BatchReport r, boolean simulated) {
    String what = simulated ? "Simulated batch" : "Batch";
    if (r.cancelled()) {
      return what + " cancelled:";
    }
    if (r.haltReason().isPresent()) {
      return what + " stopped early:";
    }
    return what + (r.allSucceeded() ? " done, every job succeeded:" : " done, not every job succeeded:");
  }

  /** What a batch would cost. */
  static String ofEstimate(String source, OfflineCheck.Result check, Budget budget, boolean simulated) {
    BatchEstimate e = check.estimate();
    SummaryTable t = new SummaryTable();
    t.row("jobs to run", Long.toString(e.jobs()));
    for (Map.Entry<String, Long> m : new java.util.TreeMap<>(e.jobsByModel()).entrySet()) {
      t.row("  " + m.getKey(), m.getValue() + (m.getValue() == 1 ? " image" : " images"));
    }
    if (e.alreadyDone() > 0) {
      t.row("already done", e.alreadyDone() + " (in the manifest; a run skips them)");
    }
    if (check.invalidRows() > 0) {
      t.row("invalid rows", check.invalidRows() + " (skipped: --skip-invalid-rows)");
    }
    if (e.duplicates() > 0) {
      t.row("duplicates", duplicatesLine(e, check.everyRow()));
    }
    String cost = cost(e);
    t.row("cost", simulated ? "none: simulated (a real run: " + cost + ")" : cost);
    if (budget.isLimited()) {
      t.row("budget", budgetLine(e, budget));
    }
    return "Estimate for " + source + " (nothing was sent):\n" + t.render();
  }

  /** Credits and dollars, or what keeps the dollars from being known. */
  static String cost(BatchEstimate e) {
    String credits = plain(e.credits()) + " credits";
    if (e.unpricedModels().isEmpty()) {
      return credits + ", ~" + Money.usd(e.usd());
    }
    return credits + (e.usd().signum() > 0 ? ", ~" + Money.usd(e.usd()) + " for the priced models" : "")
        + "; " + unpriced(e.unpricedModels());
  }

  /** Says which models have no known price, and how to give one. */
  static String unpriced(List<String> models) {
    return "no known price for " + String.join(", ", models) + " (give one with --price " + models.get(0) + "=USD)";
  }

  private static String duplicatesLine(BatchEstimate e, BatchEstimate everyRow) {
    String rows = e.duplicates() + (e.duplicates() == 1 ? " row shares" : " rows share") + " a request with an earlier row";
    if (everyRow == null) {
      return rows + "; --no-dedupe: each is generated and paid for";
    }
    BigDecimal credits = everyRow.credits().subtract(e.credits());
    BigDecimal usd = everyRow.usd().subtract(e.usd());
    return rows + ": generated once and copied, which saves " + plain(credits) + " credits"
        + (usd.signum() > 0 ? ", ~" + Money.usd(usd) : "") + " (--no-dedupe generates each)";
  }

  private static String budgetLine(BatchEstimate e, Budget budget) {
    BigDecimal need = budget.unit() == Budget.Unit.USD ? e.usd() : e.credits();
    String limit = limit(budget);
    if (need.compareTo(budget.limit()) <= 0) {
      return limit + ": covers every job";
    }
    long covered = e.jobs() == 0 || need.signum() == 0 ? e.jobs()
        : budget.limit().multiply(BigDecimal.valueOf(e.jobs())).divide(need, 0, RoundingMode.FLOOR).longValue();
    return limit + ": covers about " + covered + " of " + e.jobs() + " jobs; the rest would be skipped";
  }

  static String reason(SkipReason r) {
    return switch (r) {
      case ALREADY_DONE -> "done earlier";
      case BUDGET -> "over budget";
      case HALTED -> "not started after the batch stopped";
      case CANCELLED -> "cancelled";
      case INVALID -> "invalid rows";
    };
  }

  /** A budget's limit as people read it: {@code $1.00} or {@code 20 credits}. */
  static String limit(Budget budget) {
    return budget.unit() == Budget.Unit.USD ? Money.usd(budget.limit()) : plain(budget.limit()) + " credits";
  }

  private static String plain(BigDecimal d) {
    return Money.plain(d);
  }
}
