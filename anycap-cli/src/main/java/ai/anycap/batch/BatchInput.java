package ai.anycap.batch;

import ai.anycap.client.AnyCapException;
import ai.anycap.client.ImageOperation;
import ai.anycap.client.PromptTemplate;
import ai.anycap.client.PromptTemplates;
import ai.anycap.pipeline.CsvJobSource;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.InvalidJobException;
import ai.anycap.pipeline.JobReader;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The checked input of a batch: the templates, the CSV source, and its jobs in file order (for the
 * gallery). {@link #read(JobOptions)} checks what one message can explain (a missing file, an
 * unknown template, a column the template needs and the file lacks) before anything is sent; row
 * by row problems are left to the pipeline, which refuses the whole batch before spending.
 */
final class BatchInput {

  final JobOptions options;
  final PromptTemplates templates;
  final CsvJobSource source;
  /** Jobs by id, in file order; malformed rows are absent. */
  final Map<String, ImageJob> jobs;

  private BatchInput(
      JobOptions options, PromptTemplates templates, CsvJobSource source, Map<String, ImageJob> jobs) {
    this.options = options;
    this.templates = templates;
    this.source = source;
    this.jobs = Collections.unmodifiableMap(jobs);
  }

  /**
   * Checks the options and the files they name.
   *
   * @throws BadInputException saying what is wrong and how to fix it
   */
  static BatchInput read(JobOptions o) {
    Path csv = o.csv;
    if (!Files.exists(csv)) {
      throw new BadInputException(csv + ": no such file" + where(csv));
    }
    if (!Files.isRegularFile(csv) || !Files.isReadable(csv)) {
      throw new BadInputException(csv + ": not a readable file");
    }
    ImageOperation operation = o.operation();
    o.checkReferences(operation);
    if (o.template == null && o.promptColumn == null && operation != ImageOperation.UPSCALE) {
      throw new BadInputException(
          "say how to make each row's prompt: --template NAME (with --templates FILE), or --prompt-column COLUMN");
    }
    if (o.template != null && o.promptColumn != null) {
      throw new BadInputException("use --template or --prompt-column, not both");
    }
    PromptTemplates templates = o.templates != null ? templates(o.templates) : PromptTemplates.of();
    PromptTemplate template = null;
    if (o.template != null) {
      if (o.templates == null) {
        throw new BadInputException("--template " + o.template + " needs --templates FILE, the JSON file that defines it");
      }
      template = templates.find(o.template).orElseThrow(() -> new BadInputException(
          o.templates + " has no template '" + o.template + "'; it has: " + String.join(", ", templates.names())));
    }
    CsvJobSource source = source(o);
    List<String> header;
    try {
      header = header(source);
    } catch (InvalidJobException e) {
      throw new BadInputException(e.getMessage(), e);
    }
    if (template != null) {
      Set<String> available = new LinkedHashSet<>(header);
      available.addAll(o.values.keySet());
      List<String> missing = new ArrayList<>();
      for (String p : template.placeholders()) {
        if (!available.contains(p)) {
          missing.add(p);
        }
      }
      if (!missing.isEmpty()) {
        throw new BadInputException(
            "template '" + template.name() + "' needs " + braces(missing) + ", but " + csv.getFileName()
                + " has no column " + quoted(missing) + " (its columns: " + String.join(", ", header) + ")."
                + " Add the column, or map one with --value " + missing.get(0) + "={" + (header.isEmpty() ? "column" : header.get(0)) + "}");
      }
    }
    if (o.promptColumn != null && !header.contains(o.promptColumn.strip())) {
      throw new BadInputException(
          csv.getFileName() + " has no column '" + o.promptColumn + "' for --prompt-column (its columns: "
              + String.join(", ", header) + ")");
    }
    Map<String, ImageJob> jobs = new LinkedHashMap<>();
    try (JobReader reader = source.open()) {
      while (true) {
        Optional<ImageJob> next;
        try {
          next = reader.next();
        } catch (InvalidJobException e) {
          continue; // reported, with all the others, by the pipeline's own check
        }
        if (next.isEmpty()) {
          break;
        }
        jobs.putIfAbsent(next.get().id(), next.get());
      }
    } catch (InvalidJobException e) {
      throw new BadInputException(e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new BadInputException(csv + ": cannot read it: " + e.getMessage(), e);
    }
    if (jobs.isEmpty() && header.size() > 0 && !hasRows(csv)) {
      throw new BadInputException(csv + " has a header but no rows: there is nothing to generate");
    }
    return new BatchInput(o, templates, source, jobs);
  }

  /** The prompt a job will be sent with, for people (the gallery, a dry run); null if it cannot be made. */
  String prompt(ImageJob job) {
    if (job.prompt() != null) {
      return job.prompt();
    }
    if (job.template() == null) {
      return job.operation().value() + " of " + String.join(", ", job.references());
    }
    try {
      return templates.render(job.template(), job.values());
    } catch (AnyCapException e) {
      return null;
    }
  }

  /** The model a job will use, as the pipeline resolves it; an upscale uses none. */
  String model(ImageJob job) {
    if (job.operation() == ImageOperation.UPSCALE) {
      return "upscale";
    }
    if (job.model() != null) {
      return job.model();
    }
    if (job.template() != null) {
      Optional<String> m = templates.find(job.template()).flatMap(PromptTemplate::model);
      if (m.isPresent()) {
        return m.get();
      }
    }
    return ai.anycap.client.Model.NANO_BANANA_2.id();
  }

  /** The models the batch's jobs will use (an upscale names none). */
  Set<String> models() {
    Set<String> models = new LinkedHashSet<>();
    jobs.values().stream().filter(j -> j.operation() != ImageOperation.UPSCALE).forEach(j -> models.add(model(j)));
    return models;
  }

  private static PromptTemplates templates(Path file) {
    if (!Files.exists(file)) {
      throw new BadInputException(file + ": no such file (the --templates JSON)" + where(file));
    }
    try {
      PromptTemplates t = PromptTemplates.fromJson(file);
      if (t.size() == 0) {
        throw new BadInputException(file + " defines no templates; expected a JSON object of name to template text");
      }
      return t;
    } catch (AnyCapException | UncheckedIOException | IllegalArgumentException e) {
      throw new BadInputException(file + " is not a valid templates file: " + e.getMessage(), e);
    }
  }

  private static CsvJobSource source(JobOptions o) {
    try {
      CsvJobSource.Builder b = CsvJobSource.builder().file(o.csv).outputKey(o.outputKey).operation(o.operation());
      if (o.template != null) {
        b.template(o.template);
      } else if (o.promptColumn != null) {
        b.promptColumn(o.promptColumn);
      }
      o.referenceColumns.forEach(b::referenceColumn);
      if (o.idColumn != null) {
        b.idColumn(o.idColumn);
      }
      if (o.model != null) {
        b.model(o.model);
      }
      o.values.forEach(b::value);
      o.params.forEach((name, value) -> b.param(name, paramValue(value)));
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new BadInputException(e.getMessage(), e);
    }
  }

  /** A --param value as the API expects it: a number or a boolean when it looks like one, else text. */
  static Object paramValue(String v) {
    if (v.equals("true") || v.equals("false")) {
      return Boolean.valueOf(v);
    }
    if (v.matches("-?\\d{1,18}")) {
      return Long.valueOf(v);
    }
    if (v.matches("-?\\d+\\.\\d+")) {
      return Double.valueOf(v);
    }
    return v;
  }

  /**
   * The header names. The source checks the columns it names itself (output key, id column) when
   * it is opened; this is for the template's, which it checks row by row.
   */
  private static List<String> header(CsvJobSource source) {
    source.open().close(); // a missing output-key or id column, an empty file: one clear message
    CsvMapper mapper = new CsvMapper();
    mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
    try (Reader in = Files.newBufferedReader(source.file(), StandardCharsets.UTF_8);
        MappingIterator<String[]> rows = mapper.readerFor(String[].class).readValues(in)) {
      List<String> names = new ArrayList<>();
      if (rows.hasNext()) {
        for (String n : rows.next()) {
          names.add(n.replace("\uFEFF", "").strip());
        }
      }
      return names;
    } catch (IOException | RuntimeException e) {
      throw new BadInputException(source.file() + ": cannot read its header: " + e.getMessage(), e);
    }
  }

  private static boolean hasRows(Path csv) {
    try (var lines = Files.lines(csv)) {
      return lines.filter(l -> !l.isBlank()).count() > 1;
    } catch (IOException | UncheckedIOException e) {
      return true;
    }
  }

  private static String where(Path p) {
    return p.isAbsolute() ? "" : " (looked in " + p.toAbsolutePath().normalize().getParent() + ")";
  }

  private static String braces(List<String> names) {
    return String.join(", ", names.stream().map(n -> "{" + n + "}").toList());
  }

  private static String quoted(List<String> names) {
    return String.join(", ", names.stream().map(n -> "'" + n + "'").toList());
  }
}
