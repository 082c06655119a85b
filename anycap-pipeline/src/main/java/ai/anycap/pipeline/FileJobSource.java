package ai.anycap.pipeline;

import ai.anycap.client.ImageOperation;
import ai.anycap.client.Model;
import ai.anycap.pipeline.internal.JobFiles;
import ai.anycap.pipeline.internal.ModelParams;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Jobs read from a file: {@link CsvJobSource} or {@link JsonLinesJobSource}. What they share: the
 * file, named in positions and messages by its file name, and defaults for the entries that do not
 * set their own (a template, a model, model parameters). The file is opened by {@link #open()},
 * once per pass, never by the builder. Immutable and thread-safe; each reader {@link #open()}
 * returns is not.
 */
public abstract sealed class FileJobSource implements JobSource permits CsvJobSource, JsonLinesJobSource {

  private final Path file;
  private final Supplier<JobReader> reader;

  FileJobSource(Path file, Supplier<JobReader> reader) {
    this.file = file;
    this.reader = reader;
  }

  /**
   * Opens the file for a new pass; entries are read as {@link JobReader#next()} asks for them.
   *
   * @return a reader positioned before the first entry
   * @throws InvalidJobException at line 0 when the file is missing, a directory or unreadable; for a
   *     CSV file, at the header's line when the header is missing, has an empty or repeated name,
   *     or lacks a column the source uses
   */
  @Override
  public final JobReader open() {
    return reader.get();
  }

  /**
   * The file name, such as {@code products.csv}; positions use it too.
   *
   * @return the file name, without its directories
   */
  @Override
  public final String description() {
    return JobFiles.description(file);
  }

  /**
   * The file, as given to the builder.
   *
   * @return the path
   */
  public final Path file() {
    return file;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + file + "]";
  }

  /**
   * What the file sources' builders share: the file and the defaults for entries. Not
   * thread-safe; {@code build()} copies.
   *
   * @param <B> the concrete builder, returned by every setter
   */
  public abstract static sealed class Builder<B extends Builder<B>>
      permits CsvJobSource.Builder, JsonLinesJobSource.Builder {
    Path file;
    ImageOperation operation = ImageOperation.GENERATE;
    String template;
    String model;
    final Map<String, Object> params = new LinkedHashMap<>();

    Builder() {}

    /**
     * The file to read; required, no default. It is opened by {@link FileJobSource#open()}, not
     * here.
     *
     * @param file the path
     * @return this builder
     */
    public final B file(Path file) {
      this.file = Objects.requireNonNull(file, "file");
      return self();
    }

    /**
     * The operation of the entries that name none (every CSV row, each JSON Lines line without
     * {@code operation}); default {@link ImageOperation#GENERATE}. An edit or upscale entry needs a
     * reference image; an upscale entry takes no prompt, so the source's template does not apply
     * to it.
     *
     * @param operation generate, edit or upscale
     * @return this builder
     * @throws IllegalArgumentException for {@link ImageOperation#READ}, which makes no image
     */
    public final B operation(ImageOperation operation) {
      Objects.requireNonNull(operation, "operation");
      if (operation == ImageOperation.READ) {
        throw new IllegalArgumentException("a read answers text, not an image: it is no job of a source");
      }
      this.operation = operation;
      return self();
    }

    /**
     * The prompt template for the entries that name none: every CSV row (unless the CSV source
     * takes a prompt column instead), and each JSON Lines line with neither {@code template} nor
     * {@code prompt}; default none.
     *
     * @param name a template name the pipeline's templates hold
     * @return this builder
     */
    public final B template(String name) {
      this.template = nonBlank(name, "template", "template name");
      return self();
    }

    /**
     * The model for the entries that name none (a CSV row whose model column is empty or absent, a
     * JSON Lines line without {@code model}); default none, so the pipeline's default decides.
     *
     * @param model a model id, such as {@code nano-banana-2}
     * @return this builder
     */
    public final B model(String model) {
      this.model = nonBlank(model, "model", "model");
      return self();
    }

    /**
     * The model for the entries that name none, as {@link #model(String)}.
     *
     * @param model a known model
     * @return this builder
     */
    public final B model(Model model) {
      return model(Objects.requireNonNull(model, "model").id());
    }

    /**
     * A model parameter for every entry, such as {@code aspect_ratio}: a string, number, boolean
     * or list of those; a JSON Lines line's own {@code params} win over it. Default none.
     *
     * @param name the parameter's name
     * @param value its value
     * @return this builder
     * @throws IllegalArgumentException when the name is blank or reserved, or the value is not a
     *     string, number, boolean or list of those
     */
    public final B param(String name, Object value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, () -> "value of parameter '" + name + "'");
      String problem = ModelParams.problem(name, value);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      params.put(name, value instanceof List<?> list ? List.copyOf(list) : value);
      return self();
    }

    /**
     * Model parameters for every entry, each as {@link #param(String, Object)}.
     *
     * @param params names and values
     * @return this builder
     */
    public final B params(Map<String, ?> params) {
      Objects.requireNonNull(params, "params").forEach(this::param);
      return self();
    }

    /** The file, or an exception naming the source that needs one. */
    final Path requiredFile(String source) {
      if (file == null) {
        throw new IllegalStateException(source + " needs a file");
      }
      return file;
    }

    abstract B self();

    private static String nonBlank(String value, String what, String name) {
      Objects.requireNonNull(value, what);
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank");
      }
      return value;
    }
  }
}
