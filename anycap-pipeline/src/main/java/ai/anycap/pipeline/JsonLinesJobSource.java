package ai.anycap.pipeline;

import ai.anycap.client.Model;
import ai.anycap.pipeline.internal.JobFiles;
import ai.anycap.pipeline.internal.JsonLinesJobReader;
import ai.anycap.pipeline.internal.JsonLinesJobSpec;
import ai.anycap.pipeline.internal.ModelParams;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Jobs from a JSON Lines file: one JSON object per line, for batches whose jobs differ in more
 * than their values (model, mode, reference images, parameters).
 *
 * <pre>{@code
 * {"id": "a1", "template": "product_hero", "values": {"product_name": "Mug", "color": "red"},
 *  "model": "nano-banana-2", "mode": "image-to-image", "params": {"aspect_ratio": "1:1"},
 *  "references": ["https://example.com/mug.jpg"], "output": "mugs/a1.png"}
 * }</pre>
 *
 * <p>(shown on two lines; in the file it is one). Only {@code output} is required, plus a
 * {@code template} or a literal {@code prompt} unless the builder sets a default {@link
 * Builder#template(String) template}; {@code id} defaults to {@code output}. Values may be
 * strings, numbers or booleans (they become strings). A key set to {@code null} counts as absent;
 * any other key is an error. The file is UTF-8; blank lines are skipped. Each line is read on its
 * own, so a bad line fails its {@code next()} with its line number and reading goes on with the
 * next line.
 *
 * <p>Instances are immutable and thread-safe; each {@link #open()} returns a new reader, which is
 * not.
 *
 * <pre>{@code
 * JobSource jobs = JsonLinesJobSource.builder()
 *     .file(Path.of("jobs.jsonl"))
 *     .model("nano-banana-2")        // for lines without "model"
 *     .build();
 * }</pre>
 */
public final class JsonLinesJobSource implements JobSource {

  private final JsonLinesJobSpec spec;

  private JsonLinesJobSource(JsonLinesJobSpec spec) {
    this.spec = spec;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Opens the file; lines are read as {@link JobReader#next()} asks for them.
   *
   * @throws InvalidJobException at line 0 when the file is missing or unreadable
   */
  @Override
  public JobReader open() {
    return new JsonLinesJobReader(spec);
  }

  /** The file name, such as {@code jobs.jsonl}; positions use it too. */
  @Override
  public String description() {
    return JobFiles.description(spec.file());
  }

  /** The JSON Lines file, as given to the builder. */
  public Path file() {
    return spec.file();
  }

  @Override
  public String toString() {
    return "JsonLinesJobSource[" + spec.file() + "]";
  }

  /**
   * Configures a {@link JsonLinesJobSource}; only {@link #file} is required. Not thread-safe;
   * {@link #build()} copies.
   */
  public static final class Builder {
    private Path file;
    private String template;
    private String model;
    private final Map<String, Object> params = new LinkedHashMap<>();

    private Builder() {}

    /** The JSON Lines file; required. It is opened by {@link JsonLinesJobSource#open()}. */
    public Builder file(Path file) {
      this.file = Objects.requireNonNull(file, "file");
      return this;
    }

    /** The template for lines with neither {@code template} nor {@code prompt}; default none. */
    public Builder template(String name) {
      Objects.requireNonNull(name, "template");
      if (name.isBlank()) {
        throw new IllegalArgumentException("template name must not be blank");
      }
      this.template = name;
      return this;
    }

    /** The model for lines without {@code model}; default none (the pipeline decides). */
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

    /**
     * A model parameter for every line, under the line's own {@code params}: a string, number,
     * boolean or list of those.
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

    /** @throws IllegalStateException when the file is missing */
    public JsonLinesJobSource build() {
      if (file == null) {
        throw new IllegalStateException("JsonLinesJobSource needs a file");
      }
      return new JsonLinesJobSource(new JsonLinesJobSpec(file, template, model, params));
    }
  }
}
