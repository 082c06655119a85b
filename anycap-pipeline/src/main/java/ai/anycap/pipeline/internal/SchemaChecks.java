package ai.anycap.pipeline.internal;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.AnyCapException;
import ai.anycap.client.ImageRequest;
import ai.anycap.client.Mode;
import ai.anycap.client.ModelInfo;
import ai.anycap.client.ModelSchema;
import ai.anycap.client.NotFoundException;
import ai.anycap.client.SchemaViolation;
import ai.anycap.pipeline.InvalidJobException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Checks each job's request against its model's schema during the checking pass, so that a
 * parameter the server would refuse (and an unknown model) costs nothing. Each schema is fetched
 * once per model, operation and mode for the batch. A schema that cannot be fetched is warned of
 * once, and its jobs go on unchecked, as the AnyCap CLI goes on when its schema call fails; a 404
 * for a model the API does not list makes that model's jobs invalid. Not thread-safe: one per
 * pass.
 */
final class SchemaChecks {

  private final AnyCapClient client;
  private final Consumer<String> warnings;
  /** By model, operation and mode: the schema, or empty when it could not be had. */
  private final Map<String, Optional<ModelSchema>> schemas = new HashMap<>();
  /** Models the API does not list, to what the API offers instead. */
  private final Map<String, String> unknownModels = new HashMap<>();
  /** The API's model ids, once listed; empty when the listing failed. */
  private Optional<List<String>> listed;

  SchemaChecks(AnyCapClient client, Consumer<String> warnings) {
    this.client = client;
    this.warnings = warnings;
  }

  /**
   * Checks the job at {@code plan}.
   *
   * @throws InvalidJobException naming the first parameter concerned (every violation in the
   *     message), or the model when the API does not know it
   */
  void check(JobPlan plan) {
    if (!(plan.call() instanceof JobCall.Image image)) {
      return; // an upscale names no model, so has no schema to fetch
    }
    ImageRequest request = image.request();
    String model = request.model();
    Mode mode = request.mode().orElse(null);
    String operation = image.operation().value(); // the schema of the endpoint it is sent to
    Optional<ModelSchema> schema =
        schemas.computeIfAbsent(model + '\0' + operation + '\0' + mode, k -> fetch(model, operation, mode));
    String offered = unknownModels.get(model);
    if (offered != null) {
      throw new InvalidJobException(plan.position(), "model", "unknown model '" + model + "'; " + offered);
    }
    if (schema.isEmpty()) {
      return;
    }
    List<SchemaViolation> violations = schema.get().check(request);
    if (!violations.isEmpty()) {
      throw new InvalidJobException(plan.position(), violations.get(0).parameter(),
          violations.stream().map(SchemaViolation::message).collect(Collectors.joining("; "))
              + " (the schema of " + model + ", " + schema.get().mode() + ")");
    }
  }

  private Optional<ModelSchema> fetch(String model, String operation, Mode mode) {
    String what = model + " (" + operation + (mode == null ? "" : ", " + mode) + ")";
    try {
      return Optional.of(client.images().schema(model, operation, mode));
    } catch (NotFoundException e) {
      Optional<List<String>> ids = listedModels();
      if (ids.isPresent() && !ids.get().contains(model)) {
        unknownModels.put(model, "the API offers: " + String.join(", ", ids.get()));
        return Optional.empty();
      }
      warnings.accept(unchecked(what, e));
      return Optional.empty();
    } catch (AnyCapException e) {
      warnings.accept(unchecked(what, e));
      return Optional.empty();
    }
  }

  private static String unchecked(String what, AnyCapException e) {
    return "could not fetch the schema of " + what + ": " + e.getMessage()
        + "; the parameters of its jobs go unchecked until the server sees them";
  }

  private Optional<List<String>> listedModels() {
    if (listed == null) {
      try {
        List<String> ids = new ArrayList<>();
        for (ModelInfo m : client.images().models()) {
          ids.add(m.id());
        }
        listed = Optional.of(ids);
      } catch (AnyCapException e) {
        listed = Optional.empty();
      }
    }
    return listed;
  }
}
