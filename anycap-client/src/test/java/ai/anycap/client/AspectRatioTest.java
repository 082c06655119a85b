package ai.anycap.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Pixel sizes map to the closest aspect ratio the models take. */
class AspectRatioTest {

  private static Object ratioFor(int width, int height) {
    return ImageRequest.builder().model("m").prompt("p").aspectRatioFor(width, height).build().params().get("aspect_ratio");
  }

  @Test
  void sizes_mapToTheClosestRatio() {
    assertThat(ratioFor(1024, 1024)).isEqualTo("1:1");
    assertThat(ratioFor(1792, 1024)).isEqualTo("16:9");
    assertThat(ratioFor(1024, 1792)).isEqualTo("9:16");
    assertThat(ratioFor(1920, 1080)).isEqualTo("16:9");
    assertThat(ratioFor(1600, 1200)).isEqualTo("4:3");
    assertThat(ratioFor(768, 1024)).isEqualTo("3:4");
    assertThat(ratioFor(1100, 1000)).isEqualTo("1:1");
    assertThat(ratioFor(5000, 100)).isEqualTo("16:9");
  }

  @Test
  void aSizeThatIsNotPositive_isRefused() {
    assertThatThrownBy(() -> ImageRequest.builder().aspectRatioFor(0, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x10");
  }
}
