package ai.anycap.sinks.internal;

import ai.anycap.pipeline.BatchEstimate;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.JobResult;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/** The text of the Slack messages about a batch, in Slack's mrkdwn. */
public final class SlackMessages {

  /** Failures listed in the finish message. */
  public static final int LISTED_FAILURES = 5;

  private static final int MAX_MESSAGE = 200;

  private SlackMessages() {}

  public static String started(String title, OptionalLong total, BatchEstimate estimate) {
    StringBuilder s = new StringBuilder(":rocket: *").append(escape(title)).append("* started");
    if (total.isPresent()) {
      s.append(": ").append(count(total.getAsLong(), "job"));
    } else if (estimate != null) {
      s.append(": ").append(count(estimate.jobs(), "job"));
    }
    if (estimate != null) {
      s.append("\nEstimate: ").append(count(estimate.jobs(), "job")).append(" to run");
      if (estimate.alreadyDone() > 0) {
        s.append(", ").append(number(estimate.alreadyDone())).append(" already done");
      }
      s.append(", ").append(credits(estimate.credits())).append(" credits, ~").append(usd(estimate.usd()));
      if (!estimate.unpricedModels().isEmpty()) {
        s.append(" (no price for ").append(escape(String.join(", ", estimate.unpricedModels()))).append(")");
      }
    }
    return s.toString();
  }

  public static String finished(String title, BatchReport r) {
    String icon;
    String how;
    if (r.cancelled()) {
      icon = ":no_entry_sign:";
      how = "was cancelled after";
    } else if (r.haltReason().isPresent()) {
      icon = ":octagonal_sign:";
      how = "halted after";
    } else {
      icon = r.failed() == 0 ? ":white_check_mark:" : ":warning:";
      how = "finished in";
    }
    StringBuilder s = new StringBuilder(icon).append(" *").append(escape(title)).append("* ").append(how).append(' ')
        .append(duration(r.wallTime())).append(": ")
        .append(number(r.succeeded())).append(" succeeded, ")
        .append(number(r.failed())).append(" failed, ")
        .append(number(r.skipped())).append(" skipped")
        .append("\nSpent ").append(credits(r.credits())).append(" credits, ~").append(usd(r.estimatedCostUsd()));
    r.haltReason().ifPresent(h -> s.append("\nHalted: ").append(escape(shorten(h))));
    List<JobResult.Failed> failures = r.failures();
    if (!failures.isEmpty()) {
      int shown = Math.min(LISTED_FAILURES, failures.size());
      s.append(r.failed() > shown ? "\nFirst " + shown + " of " + number(r.failed()) + " failures:" : "\nFailures:");
      for (JobResult.Failed f : failures.subList(0, shown)) {
        s.append('\n').append(failure(f));
      }
    }
    return s.toString();
  }

  public static String jobFailed(String title, JobResult.Failed f) {
    return ":x: *" + escape(title) + "*: job " + escape(f.jobId()) + " failed [" + escape(f.errorCode()) + "] "
        + escape(shorten(f.message()));
  }

  public static String moreFailures(String title) {
    return ":x: *" + escape(title) + "*: more jobs are failing; the rest are reported in the summary at the end";
  }

  private static String failure(JobResult.Failed f) {
    return "• " + escape(f.jobId()) + " [" + escape(f.errorCode()) + "] " + escape(shorten(f.message()));
  }

  /** Escapes what Slack would read as markup: {@code &}, {@code <} and {@code >}. */
  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String shorten(String text) {
    String oneLine = text.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= MAX_MESSAGE ? oneLine : oneLine.substring(0, MAX_MESSAGE) + "...";
  }

  private static String count(long n, String noun) {
    return number(n) + " " + noun + (n == 1 ? "" : "s");
  }

  private static String number(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String credits(BigDecimal credits) {
    return credits.signum() == 0 ? "0" : credits.stripTrailingZeros().toPlainString();
  }

  static String usd(BigDecimal usd) {
    if (usd.signum() != 0 && usd.abs().compareTo(new BigDecimal("0.01")) < 0) {
      return "$" + usd.stripTrailingZeros().toPlainString();
    }
    return "$" + usd.setScale(2, RoundingMode.HALF_UP).toPlainString();
  }

  static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    long s = d.toSeconds();
    if (s < 60) {
      return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    if (s < 3600) {
      return (s / 60) + " min " + (s % 60) + " s";
    }
    return (s / 3600) + " h " + ((s % 3600) / 60) + " min";
  }
}
