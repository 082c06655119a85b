package ai.anycap.pipeline;

import ai.anycap.client.Model;
import ai.anycap.client.PromptTemplate;
import ai.anycap.client.PromptTemplateException;
import ai.anycap.pipeline.internal.CsvJobReader;
import ai.anycap.pipeline.internal.CsvJobSpec;
import ai.anycap.pipeline.internal.JobFiles;
import ai.anycap.pipeline.internal.ModelParams;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Jobs from a CSV file with a header row: one {@link ImageJob} per row, whose {@link
 * ImageJob#values()} are the row's cells by column name (the usual input for a prompt template).
 *
 * <p>The file is UTF-8 (a leading byte order mark is dropped), with {@code ,} between cells
 * unless {@link Builder#separator(char) separator} says otherwise, and {@code "} around cells that
 * hold separators, quotes ({@code ""}) or line breaks. Header names are stripped of surrounding
 * whitespace; cells are used as they are. Blank lines are skipped. Rows are parsed one at a time,
 * so files of any length can be read; {@link JobReader#position()} gives the physical line where a
 * row starts. A header problem, or a column the builder names that the header lacks, fails
 * {@link #open()}; a bad row fails its own {@code next()} and reading goes on with the next row,
 * except after broken quoting or invalid UTF-8, where the reader stops.
 *
 * <p>Instances are immutable and thread-safe; each {@link #open()} returns a new reader, which is
 * not.
 *
 * <pre>{@code
 * JobSource products = CsvJobSource.builder()
 *     .file(Path.of("products.csv"))        // name,color,sku
 *     .template("product_hero")
 *     .value("product_name", "{name}")      // the template says {product_name}
 *     .outputKey("products/{sku}.png")
 *     .idColumn("sku")
 *     .build();
 * }</pre>
 */
public final class CsvJobSource implements JobSource {

  private final CsvJobSpec spec;

  private CsvJobSource(CsvJobSpec spec) {
    this.spec = spec;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Opens the file and checks its header.
   *
   * @throws InvalidJobException when the file is missing (line 0), or at the header's line when
   *     the file is empty, the header has an empty or repeated name, or lacks a column this source
   *     uses
   */
  @Override
  public JobReader open() {
    return new CsvJobReader(spec);
  }

  /** The file name, such as {@code products.csv}; positions use it too. */
  @Override
  public String description() {
    return JobFiles.description(spec.file());
  }

  /** The CSV file, as given to the builder. */
  public Path file() {
    return spec.file();
  }

  @Override
  public String toString() {
    return "CsvJobSource[" + spec.file() + "]";
  }

  /**
   * Configures a {@link CsvJobSource}. Required: {@link #file}, {@link #outputKey}, and one of
   * {@link #template} or {@link #promptColumn}. Not thread-safe; {@link #build()} copies.
   */
  public static final class Builder {
    private Path file;
    private char separator = ',';
    private String template;
    private String promptColumn;
    private String outputKey;
    private String idColumn;
    private String model;
    private String modelColumn;
    private final Map<String, Object> params = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();

    private Builder() {}

    /** The CSV file; required. It is opened by {@link CsvJobSource#open()}, not here. */
    public Builder file(Path file) {
      this.file = Objects.requireNonNull(file, "file");
      return this;
    }

    /** The cell separator; default {@code ','}. */
    public Builder separator(char separator) {
      if (separator == '"' || separator == '\r' || separator == '\n') {
        throw new IllegalArgumentException("separator must not be a quote or a line break");
      }
      this.separator = separator;
      return this;
    }

    /** Every row's prompt is this template, filled with the row's values. */
    public Builder template(String name) {
      Objects.requireNonNull(name, "template");
      if (name.isBlank()) {
        throw new IllegalArgumentException("template name must not be blank");
      }
      this.template = name;
      return this;
    }

    /** Every row's prompt is the literal text in this column, instead of a template. */
    public Builder promptColumn(String column) {
      this.promptColumn = column(column, "promptColumn");
      return this;
    }

    /**
     * Where each row's image goes, as a template over the row's columns, such as {@code
     * {sku}.png}; required. A row whose referenced cell is empty is refused.
     */
    public Builder outputKey(String template) {
      this.outputKey = Objects.requireNonNull(template, "outputKey");
      return this;
    }

    /** The column holding each job's id; by default the id is the rendered output key. */
    public Builder idColumn(String column) {
      this.idColumn = column(column, "idColumn");
      return this;
    }

    /** The model for rows that do not name their own; by default none (the pipeline decides). */
    public Builder model(String model) {
      Objects.requireNonNull(model, "model");
      if (model.isBlank()) {
        throw new IllegalArgumentException("model must not be blank");
      }
      this.model = model;
      return this;
    }

    public Builder model(Model model) {
      return model(Objects.requireNonNull(model, "model").id());
    }

    /** A column naming each row's model; an empty cell falls back to {@link #model(String)}. */
    public Builder modelColumn(String column) {
      this.modelColumn = column(column, "modelColumn");
      return this;
    }

    /**
     * A model parameter for every row, such as {@code aspect_ratio}: a string, number, boolean
     * or list of those.
     */
    public Builder param(String name, Object value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, () -> "value of parameter '" + name + "'");
      String problem = ModelParams.problem(name, value);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      params.put(name, value instanceof List<?> list ? List.copyOf(list) : value);
      return this;
    }

    public Builder params(Map<String, ?> params) {
      Objects.requireNonNull(params, "params").forEach(this::param);
      return this;
    }

    /**
     * Adds a value to every job, rendered from the row's columns: a constant, or {@code {column}}
     * references, such as {@code value("product_name", "{name}")} when a template's placeholder
     * and the file's column are named differently. It replaces a column of the same name.
     */
    public Builder value(String name, String template) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(template, () -> "template of value '" + name + "'");
      if (name.isBlank()) {
        throw new IllegalArgumentException("value name must not be blank");
      }
      values.put(name, template);
      return this;
    }

    /**
     * @throws IllegalStateException naming the missing field ({@code file}, {@code outputKey},
     *     {@code template or promptColumn}), or when both a template and a prompt column are set
     * @throws IllegalArgumentException when the output key or a value is not a valid template
     */
    public CsvJobSource build() {
      if (file == null) {
        throw new IllegalStateException("CsvJobSource needs a file");
      }
      if (outputKey == null) {
        throw new IllegalStateException("CsvJobSource needs an outputKey, such as \"{sku}.png\"");
      }
      if (template == null && promptColumn == null) {
        throw new IllegalStateException(
            "CsvJobSource needs a template or a promptColumn to make each row's prompt");
      }
      if (template != null && promptColumn != null) {
        throw new IllegalStateException(
            "CsvJobSource takes a template or a promptColumn, not both (template '"
                + template
                + "', promptColumn '"
                + promptColumn
                + "')");
      }
      PromptTemplate key = compile("outputKey", outputKey);
      if (key.placeholders().isEmpty()) {
        throw new IllegalArgumentException(
            "outputKey '" + outputKey + "' names no column, so every row would get the same key");
      }
      Map<String, PromptTemplate> extra = new LinkedHashMap<>();
      values.forEach((name, text) -> extra.put(name, compile("value '" + name + "'", text)));
      return new CsvJobSource(
          new CsvJobSpec(
              file,
              separator,
              template,
              promptColumn,
              key,
              idColumn,
              model,
              modelColumn,
              params,
              extra));
    }

    private static PromptTemplate compile(String what, String text) {
      try {
        return PromptTemplate.of(what, text);
      } catch (PromptTemplateException e) {
        throw new IllegalArgumentException(what + " is not a valid template: " + e.getMessage(), e);
      }
    }

    private static String column(String column, String what) {
      Objects.requireNonNull(column, what);
      if (column.isBlank()) {
        throw new IllegalArgumentException(what + " must not be blank");
      }
      return column.strip();
    }
  }
}
