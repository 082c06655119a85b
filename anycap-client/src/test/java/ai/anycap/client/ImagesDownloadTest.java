package ai.anycap.client;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ImagesDownloadTest {

  @RegisterExtension static WireMockExtension wm = WireMockSupport.server();

  @TempDir Path dir;

  private static final byte[] PNG = WireMockSupport.png();

  private URI artifact(String path) {
    return URI.create(wm.baseUrl() + path);
  }

  @Test
  void download_writesTheImageAndSendsNoAuthorization() throws IOException {
    wm.stubFor(get(urlPathEqualTo("/artifacts/a.png")).willReturn(aResponse().withBody(PNG)));
    AnyCapClient client = WireMockSupport.clientFor(wm).build();
    Path target = dir.resolve("nested/out/crane.png");

    Path written = client.images().download(artifact("/artifacts/a.png?sig=s3cr3t"), target);

    assertThat(written).isEqualTo(target.toAbsolutePath());
    assertThat(Files.readAllBytes(target)).isEqualTo(PNG);
    assertThat(ImageFormat.detect(target)).contains(ImageFormat.PNG);
    assertThat(leftovers(target.getParent())).containsExactly("crane.png");
    wm.verify(
        getRequestedFor(urlEqualTo("/artifacts/a.png?sig=s3cr3t"))
            .withHeader("Authorization", absent())
            .withHeader("X-Trace-Id", absent()));
  }

  @Test
  void download_acceptsJpegAndWebp() throws IOException {
    byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1};
    byte[] webp = "RIFF\u0000\u0000\u0000\u0000WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1);
    wm.stubFor(get("/j").willReturn(aResponse().withBody(jpeg)));
    wm.stubFor(get("/w").willReturn(aResponse().withBody(webp)));
    Images images = WireMockSupport.clientFor(wm).build().images();
    assertThat(ImageFormat.detect(images.download(artifact("/j"), dir.resolve("a.jpg")))).contains(ImageFormat.JPEG);
    assertThat(ImageFormat.detect(images.download(artifact("/w"), dir.resolve("a.webp")))).contains(ImageFormat.WEBP);
  }

  @Test
  void download_ofSomethingThatIsNotAnImage_leavesNoFile() throws IOException {
    wm.stubFor(get("/html").willReturn(aResponse().withBody("<html>login page, not an image</html>")));
    DownloadException e = downloadExpectingFailure("/html", dir.resolve("x.png"));
    assertThat(e.reason()).isEqualTo(DownloadException.Reason.NOT_AN_IMAGE);
    assertThat(e.getMessage()).contains("not a PNG, JPEG or WebP");
    assertThat(e.retryable()).isFalse();
    assertThat(leftovers(dir)).isEmpty();
  }

  @Test
  void download_ofATinyNonImage_leavesNoFile() throws IOException {
    wm.stubFor(get("/tiny").willReturn(aResponse().withBody("ok")));
    DownloadException e = downloadExpectingFailure("/tiny", dir.resolve("x.png"));
    assertThat(e.reason()).as(e.toString()).isEqualTo(DownloadException.Reason.NOT_AN_IMAGE);
    assertThat(leftovers(dir)).isEmpty();
  }

  @Test
  void download_overTheCap_isRefusedAndLeavesNoFile() throws IOException {
    byte[] big = Arrays.copyOf(PNG, 64 * 1024);
    wm.stubFor(get("/big").willReturn(aResponse().withBody(big)));
    wm.stubFor(get("/big-chunked").willReturn(aResponse().withBody(big).withChunkedDribbleDelay(4, 20)));
    AnyCapClient client = WireMockSupport.clientFor(wm).maxDownloadBytes(16 * 1024).build();

    for (String path : new String[] {"/big", "/big-chunked"}) {
      DownloadException e =
          catchThrowableOfType(() -> client.images().download(artifact(path), dir.resolve("big.png")), DownloadException.class);
      assertThat(e.reason()).as(path).isEqualTo(DownloadException.Reason.TOO_LARGE);
      assertThat(e.getMessage()).contains("16384-byte cap");
    }
    assertThat(leftovers(dir)).isEmpty();
  }

  @Test
  void download_404_failsWithTheStatusAndLeavesNoFile() throws IOException {
    wm.stubFor(get("/gone").willReturn(aResponse().withStatus(404)));
    DownloadException e = downloadExpectingFailure("/gone", dir.resolve("x.png"));
    assertThat(e.reason()).isEqualTo(DownloadException.Reason.HTTP_STATUS);
    assertThat(e.statusCode()).hasValue(404);
    assertThat(e.retryable()).isFalse();
    assertThat(leftovers(dir)).isEmpty();
  }

  @Test
  void download_403_saysTheUrlMayHaveExpired() {
    wm.stubFor(get("/expired").willReturn(aResponse().withStatus(403)));
    DownloadException e = downloadExpectingFailure("/expired", dir.resolve("x.png"));
    assertThat(e.getMessage()).contains("403").contains("expired");
  }

  @Test
  void download_503_isRetryable() {
    wm.stubFor(get("/busy").willReturn(aResponse().withStatus(503)));
    assertThat(downloadExpectingFailure("/busy", dir.resolve("x.png")).retryable()).isTrue();
  }

  @Test
  void download_truncatedBody_failsRetryablyAndLeavesNoFile() throws Exception {
    byte[] partial = Arrays.copyOf(PNG, 40);
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> serving =
          CompletableFuture.runAsync(
              () -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                  s.getInputStream().read(new byte[4096]);
                  out.write(
                      ("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 5000\r\n\r\n")
                          .getBytes(StandardCharsets.US_ASCII));
                  out.write(partial);
                  out.flush();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      URI url = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/cut.png");
      Path target = dir.resolve("cut.png");
      DownloadException e =
          catchThrowableOfType(() -> WireMockSupport.clientFor(wm).build().images().download(url, target), DownloadException.class);
      serving.join();
      assertThat(e.reason()).isEqualTo(DownloadException.Reason.TRANSPORT);
      assertThat(e.retryable()).isTrue();
      assertThat(leftovers(dir)).isEmpty();
    }
  }

  @Test
  void download_connectionReset_leavesNoFile() throws IOException {
    wm.stubFor(get("/reset").willReturn(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE)));
    DownloadException e = downloadExpectingFailure("/reset", dir.resolve("x.png"));
    assertThat(e.retryable()).isTrue();
    assertThat(leftovers(dir)).isEmpty();
  }

  @Test
  void download_failure_keepsAnExistingTargetUntouched() throws IOException {
    Path target = dir.resolve("keep.png");
    Files.write(target, PNG);
    wm.stubFor(get("/bad").willReturn(aResponse().withBody("nope, not an image at all")));
    downloadExpectingFailure("/bad", target);
    assertThat(Files.readAllBytes(target)).isEqualTo(PNG);
    assertThat(leftovers(dir)).containsExactly("keep.png");
  }

  @Test
  void download_refusesNonHttpUrls() {
    AnyCapClient client = WireMockSupport.clientFor(wm).build();
    for (String url : new String[] {"file:///etc/passwd", "ftp://example.test/a.png", "jar:file:/x!/y"}) {
      DownloadException e =
          catchThrowableOfType(() -> client.images().download(URI.create(url), dir.resolve("x.png")), DownloadException.class);
      assertThat(e.reason()).as(url).isEqualTo(DownloadException.Reason.UNSUPPORTED_URL);
    }
    assertThat(wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void download_followsRedirectsWithoutAuthorization() throws IOException {
    wm.stubFor(get("/r").willReturn(aResponse().withStatus(302).withHeader("Location", "/final.png")));
    wm.stubFor(get("/final.png").willReturn(aResponse().withBody(PNG)));
    Path target = WireMockSupport.clientFor(wm).build().images().download(artifact("/r"), dir.resolve("r.png"));
    assertThat(Files.readAllBytes(target)).isEqualTo(PNG);
    wm.verify(getRequestedFor(urlEqualTo("/final.png")).withHeader("Authorization", absent()));
  }

  @Test
  void download_refusesARedirectToANonHttpScheme() {
    wm.stubFor(get("/r2").willReturn(aResponse().withStatus(302).withHeader("Location", "file:///etc/passwd")));
    assertThat(downloadExpectingFailure("/r2", dir.resolve("x.png")).reason())
        .isEqualTo(DownloadException.Reason.UNSUPPORTED_URL);
  }

  @Test
  void download_stopsAfterTooManyRedirects() {
    wm.stubFor(get("/loop").willReturn(aResponse().withStatus(302).withHeader("Location", "/loop")));
    assertThat(downloadExpectingFailure("/loop", dir.resolve("x.png")).reason())
        .isEqualTo(DownloadException.Reason.TOO_MANY_REDIRECTS);
  }

  @Test
  void download_slowerThanTheTimeout_failsAndLeavesNoFile() throws IOException {
    wm.stubFor(get("/slow").willReturn(aResponse().withBody(PNG).withChunkedDribbleDelay(PNG.length, 3_000)));
    AnyCapClient client = WireMockSupport.clientFor(wm).downloadTimeout(Duration.ofMillis(300)).build();
    DownloadException e =
        catchThrowableOfType(() -> client.images().download(artifact("/slow"), dir.resolve("slow.png")), DownloadException.class);
    assertThat(e.reason()).isEqualTo(DownloadException.Reason.TRANSPORT);
    assertThat(e.getMessage()).contains("timed out");
    assertThat(leftovers(dir)).isEmpty();
  }

  @Test
  void downloadError_neverQuotesTheUrlSignature() {
    wm.stubFor(get(urlPathEqualTo("/signed.png")).willReturn(aResponse().withStatus(404)));
    DownloadException e = downloadExpectingFailure("/signed.png?X-Amz-Signature=topsecret", dir.resolve("x.png"));
    assertThat(e.getMessage()).doesNotContain("topsecret");
    assertThat(e.url().toString()).doesNotContain("topsecret");
  }

  private DownloadException downloadExpectingFailure(String path, Path target) {
    AnyCapClient client = WireMockSupport.clientFor(wm).build();
    DownloadException e =
        catchThrowableOfType(() -> client.images().download(artifact(path), target), DownloadException.class);
    assertThat(e).as("download of %s should fail", path).isNotNull();
    return e;
  }

  private static java.util.List<String> leftovers(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return java.util.List.of();
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
