package ai.anycap.batch;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP server standing in for S3 (path-style PUTs), a CMS, a webhook receiver and Slack:
 * it answers 200 to everything (with an ETag on PUT, as S3 does) and records each request as
 * {@code "METHOD /path [signed ]body"}, where a PUT's body is given by its length.
 */
public final class RecordingServer implements AutoCloseable {

  private final HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();

  public RecordingServer() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      boolean put = ex.getRequestMethod().equals("PUT");
      boolean signed = ex.getRequestHeaders().getFirst("webhook-signature") != null;
      requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " " + (signed ? "signed " : "")
          + (put ? Integer.toString(body.length()) : body));
      if (put) {
        ex.getResponseHeaders().add("ETag", "\"etag-" + body.length() + "\"");
      }
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    server.start();
  }

  /** Such as {@code http://127.0.0.1:41234}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<String> requests() {
    return List.copyOf(requests);
  }

  public long count(String prefix) {
    return requests.stream().filter(r -> r.startsWith(prefix)).count();
  }

  /** Credentials and region for the AWS SDK, as system properties (its default chain reads them). */
  public static void setAwsTestCredentials() {
    System.setProperty("aws.region", "us-east-1");
    System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
    System.setProperty("aws.secretAccessKey", "aws-secret-example");
  }

  public static void clearAwsTestCredentials() {
    System.clearProperty("aws.region");
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
