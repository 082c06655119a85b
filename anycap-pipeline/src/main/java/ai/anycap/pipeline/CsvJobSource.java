package ai.anycap.pipeline;

import ai.anycap.client.ImageOperation;
import ai.anycap.client.PromptTemplate;
import ai.anycap.client.PromptTemplateException;
import ai.anycap.pipeline.internal.CsvJobReader;
import ai.anycap.pipeline.internal.CsvJobSpec;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * not. The file, the template, the model and parameters for every row are set as for any {@link
 * FileJobSource}.
 *
 * <pre>{@code
 * JobSource products = CsvJobSource.builder()
 *     .file(Path.of("products.csv"))        // name,color,sku
 *     .template("product_hero")
 *     .value("product_name", "{name}")      // the template says {product_name}
 *     .outputKey("products/{sku}.png")
 *     .idColumn("sku")
 *     .build();
 * JobSource restyle = CsvJobSource.builder()
 *     .file(Path.of("photos.csv"))          // photo,style
 *     .operation(ImageOperation.EDIT).model("nano-banana-pro")
 *     .promptColumn("style")
 *     .referenceColumn("photo")             // a path under the pipeline's reference directory
 *     .outputKey("restyled/{photo}")
 *     .build();
 * }</pre>
 */
public final class CsvJobSource extends FileJobSource {

  private CsvJobSource(CsvJobSpec spec) {
    super(spec.file(), () -> new CsvJobReader(spec));
  }

  /**
   * A builder with no file, template or output key yet.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Configures a {@link CsvJobSource}. Required: {@link #file}, {@link #outputKey}, and one of
   * {@link #template} or {@link #promptColumn} (neither for an upscale, which takes no prompt; an
   * edit or upscale also needs a {@link #referenceColumn}). Not thread-safe; {@link #build()}
   * copies.
   */
  public static final class Builder extends FileJobSource.Builder<Builder> {
    private char separator = ',';
    private String promptColumn;
    private String outputKey;
    private String idColumn;
    private String modelColumn;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> referenceColumns = new ArrayList<>();

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /**
     * The cell separator; default {@code ','}.
     *
     * @param separator any character but a quote or a line break
     * @return this builder
     */
    public Builder separator(char separator) {
      if (separator == '"' || separator == '\r' || separator == '\n') {
        throw new IllegalArgumentException("separator must not be a quote or a line break");
      }
      this.separator = separator;
      return this;
    }

    /**
     * Every row's prompt is the literal text in this column, instead of a template; default none.
     *
     * @param column a column of the header
     * @return this builder
     */
    public Builder promptColumn(String column) {
      this.promptColumn = column(column, "promptColumn");
      return this;
    }

    /**
     * Where each row's image goes, as a template over the row's columns, such as {@code
     * {sku}.png}; required, no default. A row whose referenced cell is empty is refused.
     *
     * @param template the output key template
     * @return this builder
     */
    public Builder outputKey(String template) {
      this.outputKey = Objects.requireNonNull(template, "outputKey");
      return this;
    }

    /**
     * The column holding each job's id; by default the id is the rendered output key.
     *
     * @param column a column of the header
     * @return this builder
     */
    public Builder idColumn(String column) {
      this.idColumn = column(column, "idColumn");
      return this;
    }

    /**
     * A column naming each row's model; an empty cell falls back to {@link #model(String)};
     * default none.
     *
     * @param column a column of the header
     * @return this builder
     */
    public Builder modelColumn(String column) {
      this.modelColumn = column(column, "modelColumn");
      return this;
    }

    /**
     * A column naming each row's reference image: a path relative to the pipeline's {@link
     * ImagePipelineBuilder#referenceDirectory reference directory}, an http(s) URL or an {@code
     * anycap://upload/} reference. Each call adds a column (a row then has a reference from each,
     * in order); a row whose cell is empty is refused. Default none.
     *
     * @param column a column of the header
     * @return this builder
     */
    public Builder referenceColumn(String column) {
      referenceColumns.add(column(column, "referenceColumn"));
      return this;
    }

    /**
     * Adds a value to every job, rendered from the row's columns: a constant, or {@code {column}}
     * references, such as {@code value("product_name", "{name}")} when a template's placeholder
     * and the file's column are named differently. It replaces a column of the same name. Default
     * none.
     *
     * @param name the value's name
     * @param template a constant, or text with {@code {column}} references
     * @return this builder
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
     * Builds the source; nothing is read yet.
     *
     * @return the source
     * @throws IllegalStateException naming the missing field ({@code file}, {@code outputKey},
     *     {@code template or promptColumn}, {@code referenceColumn} for an edit or upscale), or
     *     when both a template and a prompt column are set, or either for an upscale
     * @throws IllegalArgumentException when the output key or a value is not a valid template
     */
    public CsvJobSource build() {
      Path file = requiredFile("CsvJobSource");
      if (outputKey == null) {
        throw new IllegalStateException("CsvJobSource needs an outputKey, such as \"{sku}.png\"");
      }
      if (operation == ImageOperation.UPSCALE && (template != null || promptColumn != null)) {
        throw new IllegalStateException("an upscale takes no prompt: drop the CsvJobSource's "
            + (template != null ? "template '" + template + "'" : "promptColumn '" + promptColumn + "'"));
      }
      if (operation != ImageOperation.GENERATE && referenceColumns.isEmpty()) {
        throw new IllegalStateException("CsvJobSource of " + operation.value()
            + " jobs needs a referenceColumn naming each row's image");
      }
      if (template == null && promptColumn == null && operation != ImageOperation.UPSCALE) {
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
              operation,
              template,
              promptColumn,
              key,
              idColumn,
              model,
              modelColumn,
              params,
              extra,
              referenceColumns));
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
