package ai.anycap.pipeline.internal;

import ai.anycap.client.ImageOperation;
import ai.anycap.client.ImageRef;
import ai.anycap.client.ImageRequest;
import ai.anycap.client.Mode;
import ai.anycap.client.PromptTemplate;
import ai.anycap.client.PromptTemplateException;
import ai.anycap.client.PromptTemplates;
import ai.anycap.client.UpscaleRequest;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.InvalidJobException;
import ai.anycap.pipeline.JobPosition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an {@link ImageJob} into the call to make and the file to write: renders the template,
 * picks the model (job, then template, then pipeline default), merges parameters (template
 * defaults, then pipeline defaults, then the job's own), reads its references (local paths
 * relative to the reference directory, which they may not leave) and builds the operation's
 * request. Every problem is an {@link InvalidJobException} naming the position and field.
 */
public final class JobResolver {

  private final PromptTemplates templates;
  private final String defaultModel;
  private final Map<String, Object> defaultParams;
  private final OutputPaths outputs;
  private final Path referenceDirectory;

  public JobResolver(
      PromptTemplates templates, String defaultModel, Map<String, Object> defaultParams, OutputPaths outputs,
      Path referenceDirectory) {
    this.templates = templates;
    this.defaultModel = defaultModel;
    this.defaultParams = defaultParams;
    this.outputs = outputs;
    this.referenceDirectory = referenceDirectory.toAbsolutePath().normalize();
  }

  public OutputPaths outputs() {
    return outputs;
  }

  public JobPlan resolve(ImageJob job, JobPosition position) {
    List<ImageRef> references = references(job, position);
    JobCall call;
    try {
      call = job.operation() == ImageOperation.UPSCALE
          ? upscale(job, references, position)
          : image(job, references, position);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new InvalidJobException(position, null, e.getMessage(), e);
    }
    Path output;
    try {
      output = outputs.resolve(job.outputKey());
    } catch (IllegalArgumentException e) {
      throw new InvalidJobException(position, "output key", e.getMessage(), e);
    }
    return new JobPlan(job, position, call, output);
  }

  /**
   * The field a job's reference {@code index} came from, for messages: the CSV column holding it
   * (a row's cells are its values), else {@code references[index]}.
   */
  static String referenceField(ImageJob job, int index) {
    String written = job.references().get(index);
    for (Map.Entry<String, String> value : job.values().entrySet()) {
      if (value.getValue().strip().equals(written)) {
        return value.getKey();
      }
    }
    return "references[" + index + "]";
  }

  private List<ImageRef> references(ImageJob job, JobPosition position) {
    List<ImageRef> refs = new ArrayList<>(job.references().size());
    for (int i = 0; i < job.references().size(); i++) {
      String written = job.references().get(i).strip();
      try {
        ImageRef ref = ImageRef.of(written);
        if (ref instanceof ImageRef.LocalFile && !written.regionMatches(true, 0, "file:", 0, 5)) {
          ref = ImageRef.file(referenceDirectory.resolve(written));
        }
        if (ref instanceof ImageRef.LocalFile f && !f.path().startsWith(referenceDirectory)) {
          // A CSV must not make the pipeline upload files from anywhere on this machine.
          throw new IllegalArgumentException("reference image '" + written + "' is outside the reference"
              + " directory " + referenceDirectory + "; set the pipeline's referenceDirectory (the CLI's"
              + " --reference-dir) to a directory that holds it");
        }
        refs.add(ref);
      } catch (IllegalArgumentException e) {
        throw new InvalidJobException(position, referenceField(job, i), e.getMessage(), e);
      }
    }
    return refs;
  }

  /** A generate or an edit: the prompt, model and parameters, and the references in {@code images}. */
  private JobCall image(ImageJob job, List<ImageRef> references, JobPosition position) {
    String prompt;
    String model = job.model();
    Map<String, Object> params = new LinkedHashMap<>();
    if (job.template() != null) {
      PromptTemplate template = templates.find(job.template()).orElse(null);
      if (template == null) {
        throw new InvalidJobException(
            position, "template",
            "unknown template '" + job.template() + "'; known templates: " + templates.names());
      }
      for (String key : template.placeholders()) {
        String value = job.values().get(key);
        if (value != null && value.isBlank()) {
          throw new InvalidJobException(
              position, key, "is empty, but template '" + template.name() + "' needs a value for {" + key + "}");
        }
      }
      try {
        prompt = template.render(job.values());
      } catch (PromptTemplateException e) {
        throw new InvalidJobException(position, e.key().orElse("template"), e.getMessage(), e);
      }
      if (model == null) {
        model = template.model().orElse(null);
      }
      params.putAll(template.parameters());
    } else {
      prompt = job.prompt();
    }
    if (prompt.isBlank()) {
      throw new InvalidJobException(position, "prompt", "the prompt is blank");
    }
    if (model == null) {
      model = defaultModel;
    }
    params.putAll(defaultParams);
    params.putAll(job.params());
    ImageRequest.Builder b = ImageRequest.builder().model(model).prompt(prompt).params(params).images(references);
    if (job.mode() != null) {
      b.mode(job.mode());
    } else if (job.operation() == ImageOperation.GENERATE && !references.isEmpty()) {
      b.mode(Mode.IMAGE_TO_IMAGE);
    }
    return new JobCall.Image(job.operation(), b.build());
  }

  /**
   * An upscale: the references and the job's own parameters, {@code resolution} among them; no
   * prompt, no model, and none of the defaults meant for generating.
   */
  private static JobCall upscale(ImageJob job, List<ImageRef> references, JobPosition position) {
    UpscaleRequest.Builder b = UpscaleRequest.builder();
    references.forEach(b::image);
    job.params().forEach((name, value) -> {
      if (!name.equals("resolution")) {
        b.param(name, value);
      } else if (value instanceof String resolution && !resolution.isBlank()) {
        b.resolution(resolution);
      } else {
        throw new InvalidJobException(position, "resolution", "must be a resolution such as \"4k\", got " + value);
      }
    });
    return new JobCall.Upscale(b.build());
  }
}
