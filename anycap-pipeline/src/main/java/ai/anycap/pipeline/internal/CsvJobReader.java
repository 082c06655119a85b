package ai.anycap.pipeline.internal;

import ai.anycap.client.PromptTemplate;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.InvalidJobException;
import ai.anycap.pipeline.JobPosition;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One pass over a CSV job file: the header first, then a job per row, parsed one row at a time
 * with Jackson's streaming CSV parser. Line numbers are physical lines of the file, so a quoted
 * cell spanning lines and skipped blank lines leave later rows correctly numbered. Not
 * thread-safe.
 */
public final class CsvJobReader extends FileJobReader {

  // Thread-safe once configured; one parser per reader. Not SKIP_EMPTY_LINES: it also drops the
  // leading spaces of the first cell on every line, and cells are meant to be kept as they are.
  private static final CsvFactory FACTORY = CsvFactory.builder().build();

  private final CsvJobSpec spec;
  private final CsvParser parser;
  private final List<String> header;
  private final List<String> cells = new ArrayList<>();

  /**
   * Opens the file and reads its header.
   *
   * @throws InvalidJobException at line 0 when the file cannot be opened, or at the header's line
   *     (1 unless blank lines come first) when the header is missing or malformed or lacks a
   *     column the spec needs
   */
  public CsvJobReader(CsvJobSpec spec) {
    super(spec.file());
    this.spec = spec;
    InputStream in = JobFiles.open(spec.file());
    CsvParser opened = null;
    try {
      opened = FACTORY.createParser(new StrictUtf8Reader(in));
      opened.setSchema(CsvSchema.emptySchema().withColumnSeparator(spec.separator()));
      this.parser = opened;
      this.header = readHeader();
    } catch (IOException e) {
      closeQuietly(opened, in);
      throw ioFailure(e);
    } catch (RuntimeException e) {
      closeQuietly(opened, in);
      throw e;
    }
  }

  @Override
  Optional<ImageJob> read() {
    List<String> row;
    try {
      row = readRow();
    } catch (IOException e) {
      done = true;
      throw ioFailure(e);
    }
    if (row == null) {
      done = true;
      return Optional.empty();
    }
    return Optional.of(job(row));
  }

  @Override
  void release() {
    closeQuietly(parser, null);
  }

  private List<String> readHeader() throws IOException {
    List<String> names = readRow();
    if (names == null) {
      throw new InvalidJobException(
          new JobPosition(source, 1),
          null,
          "the file is empty; expected a header row naming the columns");
    }
    JobPosition where = new JobPosition(source, line);
    List<String> stripped = new ArrayList<>(names.size());
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i).strip();
      if (name.isEmpty()) {
        throw new InvalidJobException(
            where, null, "header column " + (i + 1) + " has no name; header: " + names);
      }
      Integer earlier = seen.putIfAbsent(name, i + 1);
      if (earlier != null) {
        throw new InvalidJobException(
            where,
            name,
            "column name appears twice in the header (columns "
                + earlier
                + " and "
                + (i + 1)
                + ")");
      }
      stripped.add(name);
    }
    checkRequiredColumns(where, stripped);
    line = 0; // no entry returned yet
    return List.copyOf(stripped);
  }

  private void checkRequiredColumns(JobPosition where, List<String> names) {
    String first = null;
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, String> required : spec.requiredColumns().entrySet()) {
      String column = required.getKey();
      if (!names.contains(column)) {
        first = first == null ? column : first;
        missing.add(
            "'" + column + "' (used by " + required.getValue() + suggestion(column, names) + ")");
      }
    }
    if (first == null) {
      return;
    }
    // all at once: the user fixes the builder or the file in one go, not one column per run
    throw new InvalidJobException(
        where,
        first,
        (missing.size() == 1 ? "column " : "columns ")
            + String.join(", ", missing)
            + (missing.size() == 1 ? " is" : " are")
            + " not in the header; the header has "
            + names);
  }

  private static String suggestion(String column, List<String> names) {
    for (String name : names) {
      if (name.toLowerCase(Locale.ROOT).equals(column.toLowerCase(Locale.ROOT))) {
        return "; did you mean '" + name + "'?";
      }
    }
    return "";
  }

  /**
   * The next non-blank row's cells, or null at the end; sets {@link #line} to the row's first
   * line. A parse error ends the pass: the parser cannot resynchronise after a broken quote.
   */
  private List<String> readRow() throws IOException {
    try {
      do {
        cells.clear();
        if (parser.nextToken() == null) {
          return null;
        }
        while (parser.nextToken() == JsonToken.VALUE_STRING) {
          if (cells.isEmpty()) {
            line = parser.currentTokenLocation().getLineNr();
          }
          cells.add(parser.getText());
        }
      } while (cells.size() == 1 && cells.get(0).isBlank());
      return List.copyOf(cells);
    } catch (StrictUtf8Reader.MalformedUtf8Exception e) {
      done = true;
      line = e.line();
      throw new InvalidJobException(
          position(),
          null,
          String.format(
              "the file is not valid UTF-8: byte 0x%02X (at byte offset %d) cannot be decoded;"
                  + " save the file as UTF-8; reading stops here",
              e.badByte(),
              e.byteOffset()),
          e);
    } catch (JsonProcessingException e) {
      done = true;
      throw malformed(e);
    }
  }

  private InvalidJobException malformed(JsonProcessingException e) {
    // The token location is where the offending cell starts, which for an unclosed quote is
    // the opening quote; the parser's own location is often the end of the file.
    JsonLocation start = parser.currentTokenLocation();
    JsonLocation at = e.getLocation();
    if (start != null && start.getLineNr() > 0) {
      line = start.getLineNr();
    } else if (at != null && at.getLineNr() > 0) {
      line = at.getLineNr();
    }
    String column =
        header != null && cells.size() < header.size() ? header.get(cells.size()) : null;
    String detail = e.getOriginalMessage();
    String problem;
    if (detail != null && detail.startsWith("Missing closing quote")) {
      problem = "unclosed quote: the quoted cell starting on this line has no closing quote";
    } else {
      problem =
          "malformed CSV"
              + (at != null && at.getLineNr() > 0
                  ? " at line " + at.getLineNr() + ", column " + at.getColumnNr()
                  : "")
              + ": "
              + detail;
    }
    return new InvalidJobException(position(), column, problem + "; reading stops here", e);
  }

  private ImageJob job(List<String> row) {
    JobPosition where = position();
    if (row.size() < header.size()) {
      String first = header.get(row.size());
      throw new InvalidJobException(
          where,
          first,
          "row has "
              + count(row.size(), "cell")
              + " but the header has "
              + count(header.size(), "column")
              + "; no value for "
              + header.subList(row.size(), header.size()));
    }
    if (row.size() > header.size()) {
      throw new InvalidJobException(
          where,
          null,
          "row has "
              + count(row.size(), "cell")
              + " but the header has only "
              + count(header.size(), "column")
              + " "
              + header
              + "; is a separator or quote missing?");
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < header.size(); i++) {
      values.put(header.get(i), row.get(i));
    }

    PromptTemplate outputKey = spec.outputKey();
    for (String column : outputKey.placeholders()) {
      if (values.get(column).isBlank()) {
        throw new InvalidJobException(
            where,
            column,
            "column is empty, but the output key '" + outputKey.text() + "' needs it");
      }
    }
    String key = outputKey.render(values);
    ImageJob.Builder job = ImageJob.builder().outputKey(key);

    if (spec.idColumn() != null) {
      job.id(required(values, spec.idColumn(), "the job id", where));
    }
    job.operation(spec.operation());
    if (spec.promptColumn() != null) {
      job.prompt(required(values, spec.promptColumn(), "the prompt", where));
    } else if (spec.template() != null) {
      job.template(spec.template());
    }
    for (String column : spec.referenceColumns()) {
      job.reference(required(values, column, "the row's reference image", where).strip());
    }
    String model = spec.modelColumn() == null ? "" : values.get(spec.modelColumn()).strip();
    if (!model.isEmpty()) {
      job.model(model);
    } else if (spec.model() != null) {
      job.model(spec.model());
    }
    Map<String, String> extra = new LinkedHashMap<>();
    spec.extraValues().forEach((name, template) -> extra.put(name, template.render(values)));
    values.putAll(extra);
    job.values(values).params(spec.params());
    try {
      return job.build();
    } catch (IllegalArgumentException e) {
      throw new InvalidJobException(where, null, e.getMessage(), e);
    }
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static String required(
      Map<String, String> values, String column, String what, JobPosition where) {
    String value = values.get(column);
    if (value.isBlank()) {
      throw new InvalidJobException(where, column, "column is empty, but it holds " + what);
    }
    return value;
  }

  private static void closeQuietly(CsvParser parser, InputStream in) {
    try {
      if (parser != null) {
        parser.close();
      } else if (in != null) {
        in.close();
      }
    } catch (IOException ignored) {
      // nothing to do: the pass is over and the data was already read
    }
  }
}
