package ai.anycap.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptTemplatesTest {

  private static Path resource(String name) {
    try {
      return Path.of(PromptTemplatesTest.class.getResource("/templates/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void fromJson_loadsSeedFileUnchanged() {
    PromptTemplates templates = PromptTemplates.fromJson(resource("seed-templates.json"));

    assertThat(templates.names()).containsExactly("blog_hero", "product_hero", "social_post");
    assertThat(templates.size()).isEqualTo(3);
    assertThat(templates.template("product_hero").text())
        .isEqualTo(
            "E-commerce product photo: {product_name}, {color}, studio lighting, white"
                + " background, 1024x1024, commercial photography");
    assertThat(templates.template("product_hero").placeholders())
        .containsExactly("product_name", "color");
    assertThat(templates.template("blog_hero").placeholders())
        .containsExactly("topic", "style", "mood");
    assertThat(templates.template("social_post").placeholders())
        .containsExactly("subject", "platform", "vibe", "dimensions");
    assertThat(templates.template("social_post").model()).isEmpty();
  }

  @Test
  void render_fillsSeedTemplateByName() {
    PromptTemplates templates = PromptTemplates.fromJson(resource("seed-templates.json"));

    String prompt =
        templates.render(
            "blog_hero", Map.of("topic", "home offices", "style", "flat", "mood", "calm"));

    assertThat(prompt)
        .isEqualTo(
            "Blog header illustration: home offices, flat style, calm mood, 1200x630, editorial");
  }

  @Test
  void render_whenValueMissing_namesKeyAndTemplate() {
    PromptTemplates templates = PromptTemplates.fromJson(resource("seed-templates.json"));

    assertThatThrownBy(() -> templates.render("product_hero", Map.of("product_name", "lamp")))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessage("template 'product_hero' needs a value for {color}; given: [product_name]");
  }

  @Test
  void template_whenUnknown_listsKnownTemplatesSorted() {
    PromptTemplates templates = PromptTemplates.fromJson(resource("seed-templates.json"));

    PromptTemplateException e =
        catchThrowableOfType(PromptTemplateException.class, () -> templates.template("x"));

    assertThat(e)
        .hasMessage(
            "unknown template 'x'; known templates: [blog_hero, product_hero, social_post]");
    assertThat(e.templateName()).contains("x");
  }

  @Test
  void findAndContains_reportPresenceWithoutThrowing() {
    PromptTemplates templates = PromptTemplates.of(PromptTemplate.of("a", "{x}"));

    assertThat(templates.find("a")).contains(PromptTemplate.of("a", "{x}"));
    assertThat(templates.find("b")).isEmpty();
    assertThat(templates.contains("a")).isTrue();
    assertThat(templates.contains("b")).isFalse();
  }

  @Test
  void names_areSortedAndUnmodifiable() {
    PromptTemplates templates =
        PromptTemplates.of(PromptTemplate.of("zeta", "z"), PromptTemplate.of("alpha", "a"));

    assertThat(templates.names()).containsExactly("alpha", "zeta");
    assertThatThrownBy(() -> templates.names().remove("alpha"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void fromJson_objectForm_readsModelAndParametersIncludingAliases() {
    PromptTemplates templates = PromptTemplates.fromJson(resource("with-defaults.json"));

    PromptTemplate hero = templates.template("product_hero");
    assertThat(hero.placeholders()).containsExactly("product_name", "color");
    assertThat(hero.model()).contains("nano-banana-2");
    assertThat(hero.parameters())
        .containsExactly(
            Map.entry("aspect_ratio", "1:1"), Map.entry("resolution", "2k"), Map.entry("seed", 42));

    PromptTemplate banner = templates.template("banner");
    assertThat(banner.text()).isEqualTo("Wide banner: {topic}");
    assertThat(banner.model()).isEmpty();
    assertThat(banner.parameters()).containsExactly(Map.entry("aspect_ratio", "16:9"));

    assertThat(templates.template("plain").parameters()).isEmpty();
  }

  @Test
  void fromJson_whenJsonMalformed_namesFileAndLine() {
    Path file = resource("malformed-json.json");

    assertThatThrownBy(() -> PromptTemplates.fromJson(file))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessageStartingWith(file + ": invalid JSON at line 4, column ");
  }

  @Test
  void fromJson_whenFileMissing_namesPath(@TempDir Path dir) {
    Path file = dir.resolve("nope.json");

    assertThatThrownBy(() -> PromptTemplates.fromJson(file))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessage("templates file not found: " + file.toAbsolutePath());
  }

  @Test
  void fromJson_whenTemplateMalformed_namesFileTemplateAndPosition() {
    Path file = resource("unclosed-brace.json");

    PromptTemplateException e =
        catchThrowableOfType(PromptTemplateException.class, () -> PromptTemplates.fromJson(file));

    assertThat(e)
        .hasMessageStartingWith(file + ": template 'blog_hero' has an unclosed '{' at index 26");
    assertThat(e.templateName()).contains("blog_hero");
  }

  @Test
  void fromJson_whenTemplateObjectHasUnknownKey_namesFileTemplateAndKey() {
    Path file = resource("unknown-key.json");

    PromptTemplateException e =
        catchThrowableOfType(PromptTemplateException.class, () -> PromptTemplates.fromJson(file));

    assertThat(e)
        .hasMessageStartingWith(file + ": template 'product_hero' has unknown key 'aspect_ratio'")
        .hasMessageContaining("parameters");
    assertThat(e.templateName()).contains("product_hero");
  }

  @Test
  void fromJson_whenFileEmpty_saysSo(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("empty.json"), "");

    assertThatThrownBy(() -> PromptTemplates.fromJson(file))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessageStartingWith(file + ": no content");
  }

  @Test
  void parse_whenTopLevelNotObject_fails() {
    assertThatThrownBy(() -> PromptTemplates.parse("[\"{a}\"]", "inline.json"))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessage(
            "inline.json: expected a JSON object mapping template names to templates, found array");
  }

  @Test
  void parse_whenValueNeitherStringNorObject_fails() {
    assertThatThrownBy(() -> PromptTemplates.parse("{\"hero\": 42}", "inline.json"))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessage("inline.json: template 'hero' must be a string or an object, found number");
  }

  @Test
  void parse_whenObjectHasNoPrompt_fails() {
    assertThatThrownBy(() -> PromptTemplates.parse("{\"hero\": {\"model\": \"m\"}}", "cfg"))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessage("cfg: template 'hero' has no \"prompt\"");
  }

  @Test
  void parse_whenPromptAndItsAliasBothPresent_fails() {
    String json = "{\"hero\": {\"prompt\": \"a\", \"text\": \"b\"}}";

    assertThatThrownBy(() -> PromptTemplates.parse(json, "cfg"))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessageStartingWith("cfg: template 'hero' has both \"prompt\" and its alias \"text\"");
  }

  @Test
  void parse_whenParametersNotAnObject_fails() {
    String json = "{\"hero\": {\"prompt\": \"a\", \"params\": [1]}}";

    assertThatThrownBy(() -> PromptTemplates.parse(json, "cfg"))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessage("cfg: template 'hero' \"parameters\" must be an object, found array");
  }

  @Test
  void parse_whenNameRepeated_failsInsteadOfKeepingTheLast() {
    String json = "{\n\"hero\": \"a\",\n\"hero\": \"b\"\n}";

    assertThatThrownBy(() -> PromptTemplates.parse(json, "cfg"))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessageStartingWith("cfg: invalid JSON at line 3")
        .hasMessageContaining("hero");
  }

  @Test
  void of_whenNamesDuplicated_fails() {
    PromptTemplate first = PromptTemplate.of("hero", "a");
    PromptTemplate second = PromptTemplate.of("hero", "b");

    PromptTemplateException e =
        catchThrowableOfType(
            PromptTemplateException.class, () -> PromptTemplates.of(List.of(first, second)));

    assertThat(e).hasMessage("duplicate template name 'hero'");
    assertThat(e.templateName()).contains("hero");
  }

  @Test
  void of_whenTemplateUnnamed_fails() {
    assertThatThrownBy(() -> PromptTemplates.of(PromptTemplate.of("{a}")))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessageContaining("needs named templates");
  }

  @Test
  void equals_comparesTemplates() {
    PromptTemplate x = PromptTemplate.of("x", "1");
    PromptTemplate y = PromptTemplate.of("y", "2");
    PromptTemplates a = PromptTemplates.of(x, y);
    PromptTemplates b = PromptTemplates.of(List.of(y, x));

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(PromptTemplates.of(x));
  }
}
