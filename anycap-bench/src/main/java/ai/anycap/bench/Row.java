package ai.anycap.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One line of the result table.
 *
 * @param scenario the scenario name
 * @param parameter what was varied or fixed for this row
 * @param measured the figure measured, with its unit
 * @param goal the bound or goal it is held against
 * @param ratio measured against bound (or the figure that the goal constrains); NaN for none
 * @param verdict whether the goal was met
 * @param note what else the run saw, for the reader who wants to know why
 */
record Row(
    String scenario, String parameter, String measured, String goal, double ratio, Verdict verdict, String note) {

  static Row broken(String scenario, Throwable e) {
    return new Row(scenario, "-", "did not run", "-", Double.NaN, Verdict.MISS, "failed: " + e);
  }

  /** Prints the rows as a Markdown table, columns padded so that it reads as text too. */
  static void printTable(List<Row> rows, PrintStream out) {
    List<String[]> cells = new ArrayList<>();
    cells.add(new String[] {"scenario", "parameter", "measured", "bound / goal", "ratio", "result"});
    for (Row r : rows) {
      cells.add(new String[] {
          r.scenario, r.parameter, r.measured, r.goal,
          Double.isNaN(r.ratio) ? "-" : String.format(Locale.ROOT, "%.3f", r.ratio), r.verdict.label()});
    }
    int[] width = new int[6];
    for (String[] line : cells) {
      for (int i = 0; i < line.length; i++) {
        width[i] = Math.max(width[i], line[i].length());
      }
    }
    for (int n = 0; n < cells.size(); n++) {
      out.println(line(cells.get(n), width));
      if (n == 0) {
        String[] rule = new String[width.length];
        for (int i = 0; i < width.length; i++) {
          rule[i] = "-".repeat(width[i]);
        }
        out.println(line(rule, width));
      }
    }
  }

  static void printNotes(List<Row> rows, PrintStream out) {
    out.println("Notes:");
    for (Row r : rows) {
      if (!r.note.isEmpty()) {
        out.println("- " + r.scenario + ", " + r.parameter + ": " + r.note);
      }
    }
  }

  private static String line(String[] cells, int[] width) {
    StringBuilder s = new StringBuilder("|");
    for (int i = 0; i < cells.length; i++) {
      s.append(' ').append(cells[i]).append(" ".repeat(width[i] - cells[i].length())).append(" |");
    }
    return s.toString();
  }
}
