package ai.anycap.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** Prices by operation and model, and the credits an operation usually costs. */
class PriceTableTest {

  @Test
  void defaults_priceGenerateAndEditByModel_andTheRecordedCredits() {
    PriceTable t = PriceTable.defaults();

    assertThat(t.usdPerImage("nano-banana-2")).contains(new BigDecimal("0.005"));
    assertThat(t.usdPerImage(ImageOperation.EDIT, "seedream-5")).contains(new BigDecimal("0.015"));
    assertThat(t.usdPerImage("nano-banana-pro")).isEmpty();
    assertThat(t.usdPerImage(ImageOperation.UPSCALE, null)).as("no published price").isEmpty();
    assertThat(t.creditsPerImage(ImageOperation.GENERATE)).isEqualByComparingTo("1");
    assertThat(t.creditsPerImage(ImageOperation.EDIT)).isEqualByComparingTo("1");
    assertThat(t.creditsPerImage(ImageOperation.UPSCALE)).isEqualByComparingTo("2");
    assertThat(t.creditsPerImage(ImageOperation.READ)).isEqualByComparingTo("1");
    assertThat(t.prices()).containsOnlyKeys("nano-banana-2", "seedream-5");
  }

  @Test
  void anOperationsOwnPrice_winsOverTheModelsAndTheAnyModelPrice() {
    PriceTable t = PriceTable.defaults().toBuilder()
        .price("nano-banana-pro", new BigDecimal("0.010"))
        .price(ImageOperation.EDIT, "nano-banana-pro", new BigDecimal("0.012"))
        .price(ImageOperation.EDIT, new BigDecimal("0.020"))
        .price(ImageOperation.UPSCALE, new BigDecimal("0.008"))
        .credits(ImageOperation.UPSCALE, new BigDecimal("3"))
        .build();

    assertThat(t.usdPerImage("nano-banana-pro")).contains(new BigDecimal("0.010"));
    assertThat(t.usdPerImage(ImageOperation.EDIT, "nano-banana-pro")).contains(new BigDecimal("0.012"));
    assertThat(t.usdPerImage(ImageOperation.EDIT, "nano-banana-2")).as("edit's any-model price")
        .contains(new BigDecimal("0.020"));
    assertThat(t.usdPerImage(ImageOperation.UPSCALE, "upscale")).contains(new BigDecimal("0.008"));
    assertThat(t.estimate(ImageOperation.UPSCALE, null, 5)).contains(new BigDecimal("0.040"));
    assertThat(t.creditsPerImage(ImageOperation.UPSCALE)).isEqualByComparingTo("3");
    assertThat(t.prices()).as("generate prices only").containsOnlyKeys("nano-banana-2", "seedream-5", "nano-banana-pro");
    assertThat(t).isNotEqualTo(PriceTable.defaults());
    assertThat(t.toBuilder().build()).isEqualTo(t).hasSameHashCodeAs(t);
    assertThat(t.toString()).contains("edit:nano-banana-pro=0.012", "upscale:*=0.008");
  }

  @Test
  void anEditWithoutAPriceOfItsOwn_costsWhatGeneratingWithItsModelCosts() {
    PriceTable t = PriceTable.builder().price("m", new BigDecimal("0.5")).build();

    assertThat(t.estimate(ImageOperation.EDIT, "m", 2)).contains(new BigDecimal("1.0"));
    assertThat(t.estimate(ImageOperation.EDIT, "other", 2)).isEmpty();
    assertThat(t.estimate("m", 3)).contains(new BigDecimal("1.5"));
  }

  @Test
  void removingAModel_leavesNoPrice_andNegativeValuesAreRefused() {
    PriceTable t = PriceTable.defaults().toBuilder().remove("nano-banana-2").build();
    assertThat(t.usdPerImage("nano-banana-2")).isEmpty();

    PriceTable.Builder b = PriceTable.builder();
    assertThatThrownBy(() -> b.price("m", new BigDecimal("-1"))).hasMessageContaining("must not be negative");
    assertThatThrownBy(() -> b.price(ImageOperation.UPSCALE, new BigDecimal("-1"))).hasMessageContaining("upscale");
    assertThatThrownBy(() -> b.credits(ImageOperation.READ, new BigDecimal("-1"))).hasMessageContaining("credits of read");
  }

  @Test
  void operations_readByTheirApiNames() {
    assertThat(ImageOperation.of("Edit")).isEqualTo(ImageOperation.EDIT);
    assertThat(ImageOperation.UPSCALE.value()).isEqualTo("upscale");
    assertThatThrownBy(() -> ImageOperation.of("inpaint"))
        .hasMessageContaining("inpaint").hasMessageContaining("generate, edit, upscale, read");
  }
}
