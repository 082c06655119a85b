package ai.anycap.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.testkit.internal.ImageRenderer.RenderKey;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageRendererTest {

  private static RenderKey key(String prompt, String ratio) {
    return new RenderKey("nano-banana-2", "text-to-image", prompt, ratio, "1k", 0);
  }

  @Test
  void rendersADecodablePngOfTheRightShape() throws IOException {
    for (String ratio : ModelCatalog.ASPECT_RATIOS) {
      byte[] png = ImageRenderer.render(key("a lighthouse", ratio));
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
      int[] expected = ImageRenderer.size(ratio);
      assertThat(image.getWidth()).isEqualTo(expected[0]);
      assertThat(image.getHeight()).isEqualTo(expected[1]);
      assertThat(Math.max(image.getWidth(), image.getHeight())).isEqualTo(256);
      assertThat(png.length).isLessThan(8 * 1024);
    }
  }

  @Test
  void sameKeySameBytes_andTheCacheReturnsThem() {
    ImageRenderer renderer = new ImageRenderer();
    RenderKey k = key("a fox", "16:9");
    byte[] first = renderer.png(k);
    assertThat(renderer.png(k)).isSameAs(first);
    assertThat(ImageRenderer.render(k)).isEqualTo(first);
    assertThat(ImageRenderer.render(key("a fox", "1:1"))).isNotEqualTo(first);
  }

  @Test
  void drawsInkOnThePromptsColour() throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(ImageRenderer.render(key("a fox", "1:1"))));
    int paper = image.getRGB(128, 128);
    int band = image.getRGB(128, 3);
    assertThat(band).isNotEqualTo(paper);
    long inked = 0;
    for (int y = 24; y < 60; y++) {
      for (int x = 0; x < 128; x++) {
        if (image.getRGB(x, y) != paper) {
          inked++;
        }
      }
    }
    assertThat(inked).as("pixels of prompt text").isGreaterThan(50);
  }

  @Test
  void oddInputsStillRender() throws IOException {
    String[] prompts = {"x", "supercalifragilisticexpialidocious".repeat(20), "猫 🐈 \u0000 café", "a ".repeat(5000)};
    for (String p : prompts) {
      byte[] png = ImageRenderer.render(new RenderKey("seedream-5", "image-to-image", p, "9:16", "4k", 3));
      assertThat(ImageIO.read(new ByteArrayInputStream(png))).isNotNull();
    }
  }

  @Test
  void wrapFitsTheWidth_andEndsInAnEllipsisWhenCut() {
    BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
    FontMetrics fm = img.createGraphics().getFontMetrics(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    List<String> lines = ImageRenderer.wrap("one two three four five six seven eight nine ten eleven twelve", fm, 80, 3);
    assertThat(lines).hasSize(3).allSatisfy(l -> assertThat(fm.stringWidth(l)).isLessThanOrEqualTo(80));
    assertThat(lines.get(2)).endsWith("...");
    assertThat(ImageRenderer.wrap("short", fm, 80, 3)).containsExactly("short");
  }
}
