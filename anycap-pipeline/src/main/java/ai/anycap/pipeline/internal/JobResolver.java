package ai.anycap.pipeline.internal;

import ai.anycap.client.ImageRequest;
import ai.anycap.client.PromptTemplate;
import ai.anycap.client.PromptTemplateException;
import ai.anycap.client.PromptTemplates;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.InvalidJobException;
import ai.anycap.pipeline.JobPosition;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns an {@link ImageJob} into the request to send and the file to write: renders the template,
 * picks the model (job, then template, then pipeline default) and merges parameters (template
 * defaults, then pipeline defaults, then the job's own). Every problem is an {@link
 * InvalidJobException} naming the position and field.
 */
public final class JobResolver {

  private final PromptTemplates templates;
  private final String defaultModel;
  private final Map<String, Object> defaultParams;
  private final OutputPaths outputs;

  public JobResolver(
      PromptTemplates templates, String defaultModel, Map<String, Object> defaultParams, OutputPaths outputs) {
    this.templates = templates;
    this.defaultModel = defaultModel;
    this.defaultParams = defaultParams;
    this.outputs = outputs;
  }

  public OutputPaths outputs() {
    return outputs;
  }

  public JobPlan resolve(ImageJob job, JobPosition position) {
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
    ImageRequest request;
    try {
      ImageRequest.Builder b = ImageRequest.builder().model(model).prompt(prompt).params(params);
      if (job.mode() != null) {
        b.mode(job.mode());
      }
      b.referenceImages(job.referenceImages());
      request = b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new InvalidJobException(position, null, e.getMessage(), e);
    }
    Path output;
    try {
      output = outputs.resolve(job.outputKey());
    } catch (IllegalArgumentException e) {
      throw new InvalidJobException(position, "output key", e.getMessage(), e);
    }
    return new JobPlan(job, position, request, output);
  }
}
