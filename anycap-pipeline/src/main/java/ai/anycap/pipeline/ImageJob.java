package ai.anycap.pipeline;

import ai.anycap.client.ImageOperation;
import ai.anycap.client.Mode;
import ai.anycap.client.Model;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One image to make: what to ask for, and where the result goes.
 *
 * <p>The prompt is either a template name with {@link #values()} to fill it (the usual case: a CSV
 * row) or a literal {@link #prompt()}. {@link #outputKey()} is a path relative to the pipeline's
 * output root. {@link #id()} must be stable across runs, since the journal recognises finished
 * jobs by it; it defaults to the output key.
 *
 * <p>The {@link #operation()} is {@link ImageOperation#GENERATE} unless set: with {@link
 * #references()} it generates image-to-image (the mode is {@code image-to-image} unless the job
 * sets another). {@link ImageOperation#EDIT} edits the references as the prompt says; {@link
 * ImageOperation#UPSCALE} enlarges its one reference, takes no prompt and no model (a {@code
 * resolution} parameter says how far). {@link ImageOperation#READ} answers text, not an image, so
 * it is no job: call {@code images().read(...)} on the client. A reference is a local file (a path
 * relative to the pipeline's {@link ImagePipelineBuilder#referenceDirectory(Path) reference
 * directory}), an http(s) URL or an {@code anycap://upload/<id>} reference; local files are
 * checked before the batch spends anything, and uploaded once however many jobs name them.
 *
 * <pre>{@code
 * ImageJob job = ImageJob.builder()
 *     .template("product_hero").value("product_name", "Mug").value("color", "red")
 *     .outputKey("mugs/red.png")
 *     .build();
 * ImageJob restyle = ImageJob.builder()
 *     .operation(ImageOperation.EDIT).model("nano-banana-pro")
 *     .prompt("restyle as a watercolor").reference("mug.png")   // photos/mug.png, with referenceDirectory("photos")
 *     .outputKey("watercolor/mug.png")
 *     .build();
 * }</pre>
 *
 * @param id stable identifier, unique within a batch
 * @param operation what the job asks for: generate, edit or upscale
 * @param template the template name, or null for a literal prompt (or none, for an upscale)
 * @param prompt the literal prompt, or null when a template is used (or for an upscale)
 * @param values the job's fields (a CSV row): fill the template and, later, sink templates
 * @param model the model id, or null for the template's or pipeline's default
 * @param mode the generation mode, or null: the server infers it, or {@code image-to-image} for a
 *     generate with references
 * @param params model parameters, over the template's defaults
 * @param references reference images as written: paths, http(s) URLs or {@code anycap://upload/}
 *     references
 * @param outputKey where the image goes, relative to the output root
 */
public record ImageJob(
    String id,
    ImageOperation operation,
    String template,
    String prompt,
    Map<String, String> values,
    String model,
    Mode mode,
    Map<String, Object> params,
    List<String> references,
    String outputKey) {

  /**
   * A job; the maps and list are copied.
   *
   * @param id stable identifier, not blank
   * @param operation generate, edit or upscale
   * @param template the template name, or null for a literal prompt
   * @param prompt the literal prompt, or null when a template is used
   * @param values the job's fields
   * @param model the model id, or null
   * @param mode the generation mode, or null
   * @param params model parameters
   * @param references reference images, none blank
   * @param outputKey where the image goes, relative to the output root; not blank
   * @throws IllegalArgumentException when the id or output key is blank, a reference is blank,
   *     the operation is {@code read}, an edit or upscale has no reference, or not exactly one of a
   *     template and a prompt is set (none, for an upscale)
   */
  public ImageJob {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(outputKey, "outputKey");
    if (id.isBlank()) {
      throw new IllegalArgumentException("job id must not be blank");
    }
    if (outputKey.isBlank()) {
      throw new IllegalArgumentException("job " + id + " has a blank output key");
    }
    references = List.copyOf(references);
    checkOperation(id, operation, template, prompt, references);
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  private static void checkOperation(
      String id, ImageOperation operation, String template, String prompt, List<String> references) {
    for (String r : references) {
      if (r.isBlank()) {
        throw new IllegalArgumentException("job " + id + " has a blank reference image");
      }
    }
    switch (operation) {
      case READ -> throw new IllegalArgumentException("job " + id + ": a read answers text, not an image, so it"
          + " is no pipeline job; call AnyCapClient.images().read(...)");
      case UPSCALE -> {
        if (template != null || prompt != null) {
          throw new IllegalArgumentException("job " + id + ": an upscale takes no prompt or template");
        }
      }
      default -> {
        if ((template == null) == (prompt == null)) {
          throw new IllegalArgumentException(
              "job " + id + " needs exactly one of a template name or a literal prompt");
        }
      }
    }
    if (operation != ImageOperation.GENERATE && references.isEmpty()) {
      throw new IllegalArgumentException("job " + id + ": an " + operation.value()
          + " needs a reference image, the image to " + operation.value());
    }
  }

  /** {@return a builder with nothing set} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The job as one JSON object, the same form a line of a {@link JsonLinesJobSource} file takes;
   * queues carry jobs this way.
   *
   * @return the JSON, on one line
   */
  public String toJson() {
    return ai.anycap.pipeline.internal.ImageJobJson.write(this);
  }

  /**
   * Reads a job from its JSON form ({@link #toJson()}).
   *
   * @param json one JSON object
   * @return the job
   * @throws IllegalArgumentException naming the key when the JSON is not a valid job
   */
  public static ImageJob fromJson(String json) {
    return ai.anycap.pipeline.internal.ImageJobJson.read(java.util.Objects.requireNonNull(json, "json"));
  }

  /** {@return a builder holding this job's fields, to make a changed copy} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.id = id;
    b.operation = operation;
    b.template = template;
    b.prompt = prompt;
    b.values.putAll(values);
    b.model = model;
    b.mode = mode;
    b.params.putAll(params);
    b.references.addAll(references);
    b.outputKey = outputKey;
    return b;
  }

  /** Builds an {@link ImageJob}; not thread-safe, {@link #build()} copies. */
  public static final class Builder {
    private String id;
    private ImageOperation operation = ImageOperation.GENERATE;
    private String template;
    private String prompt;
    private final Map<String, String> values = new LinkedHashMap<>();
    private String model;
    private Mode mode;
    private final Map<String, Object> params = new LinkedHashMap<>();
    private final List<String> references = new ArrayList<>();
    private String outputKey;

    private Builder() {}

    /**
     * A stable id, unique within a batch; defaults to the output key.
     *
     * @param id the id
     * @return this builder
     */
    public Builder id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /**
     * Renders the prompt from this template (clears a literal prompt); one of a template and a
     * prompt is required.
     *
     * @param name the template's name
     * @return this builder
     */
    public Builder template(String name) {
      this.template = Objects.requireNonNull(name, "template");
      this.prompt = null;
      return this;
    }

    /**
     * Uses this literal prompt (clears a template); one of a template and a prompt is required.
     *
     * @param prompt the prompt
     * @return this builder
     */
    public Builder prompt(String prompt) {
      this.prompt = Objects.requireNonNull(prompt, "prompt");
      this.template = null;
      return this;
    }

    /**
     * A field of the job, filling the template's {@code {key}}; default none.
     *
     * @param key the field's name
     * @param value its value
     * @return this builder
     */
    public Builder value(String key, String value) {
      values.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, key));
      return this;
    }

    /**
     * Fields of the job, each as {@link #value(String, String)}.
     *
     * @param values names and values
     * @return this builder
     */
    public Builder values(Map<String, String> values) {
      Objects.requireNonNull(values, "values").forEach(this::value);
      return this;
    }

    /**
     * The model; default none (the template's, or else the pipeline's default).
     *
     * @param model a model id
     * @return this builder
     */
    public Builder model(String model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /**
     * The model, as {@link #model(String)}.
     *
     * @param model a known model
     * @return this builder
     */
    public Builder model(Model model) {
      return model(Objects.requireNonNull(model, "model").id());
    }

    /**
     * The generation mode; default none (the server infers it).
     *
     * @param mode the mode
     * @return this builder
     */
    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * A model parameter, over the template's and the pipeline's defaults; default none.
     *
     * @param name the parameter's name
     * @param value its value
     * @return this builder
     */
    public Builder param(String name, Object value) {
      params.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, name));
      return this;
    }

    /**
     * Model parameters, each as {@link #param(String, Object)}.
     *
     * @param params names and values
     * @return this builder
     */
    public Builder params(Map<String, ?> params) {
      Objects.requireNonNull(params, "params").forEach(this::param);
      return this;
    }

    /**
     * What the job asks for; default {@link ImageOperation#GENERATE}. An edit and an upscale need
     * a {@link #reference(String) reference}; an upscale takes no prompt. {@link
     * ImageOperation#READ} is refused by {@link #build()}: it makes no image.
     *
     * @param operation generate, edit or upscale
     * @return this builder
     */
    public Builder operation(ImageOperation operation) {
      this.operation = Objects.requireNonNull(operation, "operation");
      return this;
    }

    /**
     * Adds a reference image; default none. A local path is relative to the pipeline's reference
     * directory (default: the working directory) and may not leave it; a file is uploaded once
     * however many jobs name it.
     *
     * @param reference a path, an http(s) URL, an {@code anycap://upload/<id>} reference or a
     *     {@code file:} URI, as written in a CSV cell or a JSON line
     * @return this builder
     */
    public Builder reference(String reference) {
      references.add(Objects.requireNonNull(reference, "reference"));
      return this;
    }

    /**
     * Adds a local reference image, as {@link #reference(String)}.
     *
     * @param file the file, relative to the pipeline's reference directory, or absolute under it
     * @return this builder
     */
    public Builder reference(Path file) {
      return reference(Objects.requireNonNull(file, "file").toString());
    }

    /**
     * Adds a reference image by URI, as {@link #reference(String)}.
     *
     * @param uri an http(s) URL, an {@code anycap://upload/} reference or a {@code file:} URI
     * @return this builder
     */
    public Builder reference(URI uri) {
      return reference(Objects.requireNonNull(uri, "uri").toString());
    }

    /**
     * Where the image goes, relative to the output root; required.
     *
     * @param outputKey the key, such as {@code mugs/red.png}
     * @return this builder
     */
    public Builder outputKey(String outputKey) {
      this.outputKey = Objects.requireNonNull(outputKey, "outputKey");
      return this;
    }

    /**
     * Builds the job.
     *
     * @return the job
     * @throws IllegalArgumentException when the output key is missing, or the record's constructor
     *     refuses the job (see there)
     */
    public ImageJob build() {
      if (outputKey == null) {
        throw new IllegalArgumentException("job " + (id == null ? "" : id + " ") + "needs an outputKey");
      }
      return new ImageJob(id == null ? outputKey : id, operation, template, prompt, values, model, mode, params,
          references, outputKey);
    }
  }
}
