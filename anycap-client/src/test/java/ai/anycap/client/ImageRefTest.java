package ai.anycap.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageRefTest {

  @Test
  void of_readsUrlsUploadReferencesFileUrisAndPaths() {
    assertThat(ImageRef.of("https://example.com/a.jpg"))
        .isEqualTo(new ImageRef.Url(URI.create("https://example.com/a.jpg")));
    assertThat(ImageRef.of("anycap://upload/file_1"))
        .isInstanceOfSatisfying(ImageRef.Upload.class, u -> assertThat(u.id()).isEqualTo("file_1"));
    Path abs = Path.of("photos/mug.png").toAbsolutePath();
    assertThat(ImageRef.of("photos/mug.png")).isEqualTo(new ImageRef.LocalFile(abs));
    assertThat(ImageRef.of(abs.toUri().toString())).isEqualTo(ImageRef.file(abs));
    assertThat(ImageRef.of("photos/mug.png").isLocal()).isTrue();
    assertThat(ImageRef.of("http://x.test/a.png").isLocal()).isFalse();
  }

  @Test
  void of_refusesOtherSchemesAndBlanks() {
    assertThatThrownBy(() -> ImageRef.of(URI.create("ftp://example.com/a.png")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scheme 'ftp'");
    assertThatThrownBy(() -> ImageRef.of("  ")).hasMessageContaining("blank");
    assertThatThrownBy(() -> ImageRef.of("anycap://upload/")).hasMessageContaining("anycap://upload/<id>");
  }

  @Test
  void request_sendsImagesAlwaysAsAnArray_andShowsLocalFilesAsFileUris() {
    Path photo = Path.of("photo.png").toAbsolutePath();
    ImageRequest one = ImageRequest.builder().model("m").prompt("p")
        .referenceImage(URI.create("https://e.test/a.jpg")).build();
    ImageRequest two = ImageRequest.builder().model("m").prompt("p")
        .referenceImage(photo).image(ImageRef.of("anycap://upload/f1"))
        .param("mask", ImageRef.file(photo)).build();

    assertThat(one.toBody()).containsEntry("images", List.of("https://e.test/a.jpg"));
    Map<String, Object> body = two.toBody();
    assertThat(body).containsEntry("images", List.of(photo.toUri().toString(), "anycap://upload/f1"));
    assertThat(body).containsEntry("mask", photo.toUri().toString());
    assertThat(two.referenceImages()).containsExactly(photo.toUri(), URI.create("anycap://upload/f1"));
    assertThat(two).isEqualTo(two.toBuilder().build());
  }
}
