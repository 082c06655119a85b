package ai.anycap.examples;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.ImageGeneration;
import ai.anycap.client.ImageRequest;
import ai.anycap.client.Model;
import ai.anycap.client.PromptTemplates;
import java.nio.file.Path;
import java.util.Map;

/**
 * Example 1: one image with {@link AnyCapClient}. A prompt from a template, one generate call, one
 * download.
 *
 * <pre>
 * export ANYCAP_API_KEY=...     # or add --simulate: no key, no network, a simulated image
 * java -cp anycap-examples/target/anycap-examples.jar ai.anycap.examples.SingleImage --simulate
 * </pre>
 */
public final class SingleImage {

  private SingleImage() {}

  public static void main(String[] args) {
    try (ExampleApi api = ExampleApi.fromArgs(args)) {
      Path file = Path.of("output", "examples", "mug.png");
      ImageGeneration g = generate(api.client(), Path.of("samples", "templates.json"), file);
      System.out.println("saved " + file + " (" + g.model() + ", " + g.creditCost() + " credit(s))");
    }
  }

  /** Generates one product photo and saves it at {@code target}. */
  static ImageGeneration generate(AnyCapClient client, Path templatesJson, Path target) {
    // 1. The prompt. Keep prompts in one JSON file of templates, not scattered through the code:
    //    "product_hero" is the seed article's "E-commerce product photo: {product_name}, {color}, ...".
    PromptTemplates templates = PromptTemplates.fromJson(templatesJson);
    String prompt = templates.render("product_hero", Map.of("product_name", "Ceramic coffee mug", "color", "matte black"));

    // 2. The request: a model and a prompt are all it takes. NANO_BANANA_2 is the fastest and
    //    cheapest (bulk, variants); SEEDREAM_5 gives the best first pass (hero images).
    ImageRequest request = ImageRequest.builder()
        .model(Model.NANO_BANANA_2)
        .prompt(prompt)
        .param("aspect_ratio", "1:1")
        .build();

    // 3. Generate. This waits for the image (5 to 30 s on AnyCap); generateAsync returns a
    //    CompletableFuture instead. Errors are unchecked AnyCapExceptions: RateLimitException,
    //    InsufficientCreditException, ... and retryable() says whether trying again can help.
    ImageGeneration generation = client.images().generate(request);

    // 4. Download now: the URL is pre-signed and expires. The file appears complete or not at all,
    //    and only PNG, JPEG or WebP bytes are accepted.
    client.images().download(generation.firstOutput(), target);
    return generation;
  }
}
