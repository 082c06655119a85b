package ai.anycap.pipeline;

import ai.anycap.pipeline.internal.JsonLinesJobReader;
import ai.anycap.pipeline.internal.JsonLinesJobSpec;

/**
 * Jobs from a JSON Lines file: one JSON object per line, for batches whose jobs differ in more
 * than their values (model, mode, reference images, parameters).
 *
 * <pre>{@code
 * {"id": "a1", "template": "product_hero", "values": {"product_name": "Mug", "color": "red"},
 *  "model": "nano-banana-2", "mode": "image-to-image", "params": {"aspect_ratio": "1:1"},
 *  "references": ["https://example.com/mug.jpg"], "output": "mugs/a1.png"}
 * {"operation": "edit", "prompt": "restyle as a watercolor", "model": "nano-banana-pro",
 *  "references": ["mug.png"], "output": "watercolor/mug.png"}
 * }</pre>
 *
 * <p>(shown on two lines; in the file it is one). Only {@code output} is required, plus a
 * {@code template} or a literal {@code prompt} unless the builder sets a default {@link
 * Builder#template(String) template}; {@code id} defaults to {@code output}. {@code operation}
 * ({@code generate}, {@code edit}, {@code upscale}) defaults to the builder's {@link
 * Builder#operation operation}; an upscale line takes no prompt. {@code references} are paths
 * (relative to the pipeline's reference directory), http(s) URLs or {@code anycap://upload/}
 * references. Values may be
 * strings, numbers or booleans (they become strings). A key set to {@code null} counts as absent;
 * any other key is an error. The file is UTF-8; blank lines are skipped. Each line is read on its
 * own, so a bad line fails its {@code next()} with its line number and reading goes on with the
 * next line.
 *
 * <p>Instances are immutable and thread-safe; each {@link #open()} returns a new reader, which is
 * not. The file, and the template, model and parameters for lines that set none, are set as for
 * any {@link FileJobSource}.
 *
 * <pre>{@code
 * JobSource jobs = JsonLinesJobSource.builder()
 *     .file(Path.of("jobs.jsonl"))
 *     .model("nano-banana-2")        // for lines without "model"
 *     .build();
 * }</pre>
 */
public final class JsonLinesJobSource extends FileJobSource {

  private JsonLinesJobSource(Builder b) {
    this(new JsonLinesJobSpec(b.requiredFile("JsonLinesJobSource"), b.operation, b.template, b.model, b.params));
  }

  private JsonLinesJobSource(JsonLinesJobSpec spec) {
    super(spec.file(), () -> new JsonLinesJobReader(spec));
  }

  /**
   * A builder with no file yet; the file is the one setting {@link Builder#build()} requires.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Configures a {@link JsonLinesJobSource}. Not thread-safe; {@link #build()} copies. */
  public static final class Builder extends FileJobSource.Builder<Builder> {

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /**
     * Builds the source; nothing is read yet.
     *
     * @return the source
     * @throws IllegalStateException when the file is missing
     */
    public JsonLinesJobSource build() {
      return new JsonLinesJobSource(this);
    }
  }
}
