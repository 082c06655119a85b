package ai.anycap.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PromptTemplateTest {

  private static final String PRODUCT_HERO =
      "E-commerce product photo: {product_name}, {color}, studio lighting";

  @Test
  void placeholders_areInOrderOfFirstAppearance() {
    PromptTemplate template =
        PromptTemplate.of("E-commerce product photo: {product_name}, {color}, studio lighting");

    assertThat(template.placeholders()).containsExactly("product_name", "color");
  }

  @Test
  void placeholders_whenRepeated_areListedOnce() {
    PromptTemplate template = PromptTemplate.of("{b} and {a}, then {b} again and {a}");

    assertThat(template.placeholders()).containsExactly("b", "a");
  }

  @Test
  void placeholders_whenTextHasNone_isEmpty() {
    assertThat(PromptTemplate.of("a cat on a mat").placeholders()).isEmpty();
  }

  @Test
  void render_substitutesEveryOccurrence() {
    PromptTemplate template = PromptTemplate.of("{thing}, a {color} {thing}");

    String rendered = template.render(Map.of("thing", "lamp", "color", "teal"));

    assertThat(rendered).isEqualTo("lamp, a teal lamp");
  }

  @Test
  void render_insertsStringValueOfNonStringValues() {
    PromptTemplate template = PromptTemplate.of("{count} images, {ratio} ratio, hd={hd}");

    String rendered = template.render(Map.of("count", 3, "ratio", 1.5, "hd", true));

    assertThat(rendered).isEqualTo("3 images, 1.5 ratio, hd=true");
  }

  @Test
  void render_ignoresKeysTheTemplateDoesNotUse() {
    PromptTemplate template = PromptTemplate.of("photo of {subject}");

    String rendered = template.render(Map.of("subject", "a fox", "sku", "X-1"));

    assertThat(rendered).isEqualTo("photo of a fox");
  }

  @Test
  void render_whenValueMissing_namesKeyAndTemplate() {
    PromptTemplate template = PromptTemplate.of("product_hero", PRODUCT_HERO);

    PromptTemplateException e =
        catchThrowableOfType(
            PromptTemplateException.class,
            () -> template.render(Map.of("product_name", "desk lamp")));

    assertThat(e)
        .hasMessage("template 'product_hero' needs a value for {color}; given: [product_name]");
    assertThat(e.templateName()).contains("product_hero");
    assertThat(e.key()).contains("color");
  }

  @Test
  void render_whenSeveralValuesMissing_listsEveryMissingKey() {
    PromptTemplate template = PromptTemplate.of("social_post", "{subject}, {platform}, {vibe}");

    PromptTemplateException e =
        catchThrowableOfType(
            PromptTemplateException.class, () -> template.render(Map.of("platform", "instagram")));

    assertThat(e)
        .hasMessage(
            "template 'social_post' needs values for {subject}, {vibe}; given: [platform]");
    assertThat(e.key()).contains("subject");
  }

  @Test
  void render_whenValueIsNull_treatsKeyAsMissingAndSaysItWasNull() {
    PromptTemplate template = PromptTemplate.of("product_hero", PRODUCT_HERO);
    Map<String, Object> values = new HashMap<>();
    values.put("product_name", "desk lamp");
    values.put("color", null);

    assertThatThrownBy(() -> template.render(values))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessage(
            "template 'product_hero' needs a value for {color}; given: [color=null, product_name]");
  }

  @Test
  void render_whenTemplateUnnamed_callsItInlineInMessage() {
    PromptTemplate template = PromptTemplate.of("photo of {subject}");

    assertThatThrownBy(() -> template.render(Map.of()))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessage("template '<inline>' needs a value for {subject}; given: []");
  }

  @Test
  void render_doubledBraces_produceLiteralBraces() {
    PromptTemplate template = PromptTemplate.of("json {{\"k\": {v}}} and {{{v}}} and {{v}}");

    assertThat(template.placeholders()).containsExactly("v");
    assertThat(template.render(Map.of("v", 1))).isEqualTo("json {\"k\": 1} and {1} and {v}");
  }

  @Test
  void render_valueContainingTemplateSyntax_isInsertedVerbatim() {
    PromptTemplate template = PromptTemplate.of("a {first} b {second}");

    String rendered = template.render(Map.of("first", "{second}", "second", "{{x}} }"));

    assertThat(rendered).isEqualTo("a {second} b {{x}} }");
  }

  @Test
  void of_allowsLettersDigitsUnderscoreDashAndDotInNames() {
    PromptTemplate template = PromptTemplate.of("{s3.url} {image-2} {Product_Name9} {größe}");

    assertThat(template.placeholders())
        .containsExactly("s3.url", "image-2", "Product_Name9", "größe");
  }

  @Test
  void of_whenBraceUnclosed_failsWithTemplateNameAndPosition() {
    PromptTemplateException e =
        catchThrowableOfType(
            PromptTemplateException.class,
            () -> PromptTemplate.of("blog_hero", "Blog header: {topic, editorial"));

    assertThat(e)
        .hasMessageContaining("template 'blog_hero'")
        .hasMessageContaining("unclosed '{' at index 13");
    assertThat(e.templateName()).contains("blog_hero");
  }

  @Test
  void of_whenSecondBraceOpensBeforeFirstCloses_reportsTheUnclosedOne() {
    assertThatThrownBy(() -> PromptTemplate.of("t", "a {b {c}"))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessageContaining("unclosed '{' at index 2");
  }

  @Test
  void of_whenClosingBraceUnmatched_failsWithPosition() {
    assertThatThrownBy(() -> PromptTemplate.of("t", "photo } of {x}"))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessageContaining("template 't'")
        .hasMessageContaining("unmatched '}' at index 6")
        .hasMessageContaining("'}}'");
  }

  @Test
  void of_whenPlaceholderEmpty_failsWithPosition() {
    assertThatThrownBy(() -> PromptTemplate.of("t", "photo of {}"))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessageContaining("template 't'")
        .hasMessageContaining("empty placeholder '{}' at index 9");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "photo of {product name} | whitespace at index 17",
        "photo of { name}        | whitespace at index 10",
        "photo of {name }        | whitespace at index 14",
        "photo of {na$me}        | an illegal character '$' at index 12",
        "photo of {a/b}          | an illegal character '/' at index 11",
      })
  void of_whenPlaceholderNameIllegal_failsWithPosition(String text, String expected) {
    assertThatThrownBy(() -> PromptTemplate.of("t", text))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessageContaining("template 't' has " + expected)
        .hasMessageContaining("placeholder names may contain only");
  }

  @Test
  void of_whenNewlineInsidePlaceholder_keepsMessageOnOneLine() {
    assertThatThrownBy(() -> PromptTemplate.of("t", "a {b\nc}"))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessageContaining("whitespace at index 4")
        .hasMessageNotContaining("\n");
  }

  @Test
  void of_whenNameBlank_fails() {
    assertThatThrownBy(() -> PromptTemplate.of(" ", "text"))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessageContaining("name must not be blank");
  }

  @Test
  void builder_whenTextMissing_failsNamingTemplate() {
    assertThatThrownBy(() -> PromptTemplate.builder().name("hero").build())
        .isInstanceOf(PromptTemplateException.class)
        .hasMessage("template 'hero' has no text");
  }

  @Test
  void builder_setsModelAndParametersInInsertionOrder() {
    PromptTemplate template =
        PromptTemplate.builder()
            .name("product_hero")
            .text(PRODUCT_HERO)
            .model("nano-banana-2")
            .parameter("resolution", "2k")
            .parameters(Map.of("aspect_ratio", "1:1"))
            .build();

    assertThat(template.name()).isEqualTo("product_hero");
    assertThat(template.text()).isEqualTo(PRODUCT_HERO);
    assertThat(template.model()).contains("nano-banana-2");
    assertThat(template.parameters())
        .containsExactly(Map.entry("resolution", "2k"), Map.entry("aspect_ratio", "1:1"));
  }

  @Test
  void of_hasNoModelAndNoParameters() {
    PromptTemplate template = PromptTemplate.of("x");

    assertThat(template.model()).isEmpty();
    assertThat(template.parameters()).isEmpty();
    assertThat(template.name()).isEqualTo("<inline>");
  }

  @Test
  void parameters_areImmutableEvenWhenBuiltFromMutableValues() {
    Map<String, Object> size = new LinkedHashMap<>(Map.of("w", 1));
    PromptTemplate.Builder builder = PromptTemplate.builder().text("x").parameter("size", size);
    PromptTemplate template = builder.build();

    size.put("h", 2);
    builder.parameter("later", "ignored");

    assertThat(template.parameters()).containsExactly(Map.entry("size", Map.of("w", 1)));
    assertThatThrownBy(() -> template.parameters().put("k", "v"))
        .isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> nested = (Map<String, Object>) template.parameters().get("size");
    assertThatThrownBy(() -> nested.put("h", 2)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void placeholders_isUnmodifiable() {
    List<String> placeholders = PromptTemplate.of("{a}").placeholders();

    assertThatThrownBy(() -> placeholders.add("b"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toBuilder_copiesEveryFieldAndLeavesOriginalUnchanged() {
    PromptTemplate original =
        PromptTemplate.builder()
            .name("hero")
            .text("{a}")
            .model("nano-banana-2")
            .parameter("aspect_ratio", "1:1")
            .build();

    PromptTemplate copy = original.toBuilder().build();
    PromptTemplate variant = original.toBuilder().parameter("aspect_ratio", "16:9").build();

    assertThat(copy).isEqualTo(original).hasSameHashCodeAs(original);
    assertThat(variant.parameters()).containsEntry("aspect_ratio", "16:9");
    assertThat(variant.model()).contains("nano-banana-2");
    assertThat(original.parameters()).containsEntry("aspect_ratio", "1:1");
  }

  @Test
  void equals_dependsOnNameTextModelAndParameters() {
    PromptTemplate base = PromptTemplate.of("hero", "{a}");

    assertThat(base).isEqualTo(PromptTemplate.of("hero", "{a}"));
    assertThat(base).isNotEqualTo(PromptTemplate.of("other", "{a}"));
    assertThat(base).isNotEqualTo(PromptTemplate.of("hero", "{b}"));
    assertThat(base).isNotEqualTo(base.toBuilder().model("m").build());
    assertThat(base).isNotEqualTo(base.toBuilder().parameter("k", "v").build());
  }

  @Test
  void toString_showsNameAndText() {
    assertThat(PromptTemplate.of("hero", "photo of {a}").toString())
        .contains("hero")
        .contains("photo of {a}");
  }
}
