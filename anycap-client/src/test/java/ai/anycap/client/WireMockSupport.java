package ai.anycap.client;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.util.zip.CRC32;

/** Shared fixtures: a loopback-only WireMock server, a client pointed at it, and real PNG bytes. */
final class WireMockSupport {

  static final String KEY = "ak_live_TESTKEY0123456789abcdef";

  private WireMockSupport() {}

  static WireMockExtension server() {
    return WireMockExtension.newInstance()
        .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
        .build();
  }

  static AnyCapClientBuilder clientFor(WireMockExtension wm) {
    return AnyCapClient.builder().apiKey(KEY).endpoint(URI.create(wm.baseUrl()));
  }

  /** A valid 1x1 PNG, built here so the test does not depend on a binary fixture. */
  static byte[] png() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    chunk(out, "IHDR", new byte[] {0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0});
    chunk(out, "IDAT", new byte[] {0x78, 0x01, 0x63, (byte) 0xF8, (byte) 0xCF, (byte) 0xC0, 0, 0, 0x03, 0x01, 0x01, 0x00});
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    writeInt(out, data.length);
    byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    writeInt(out, (int) crc.getValue());
  }

  private static void writeInt(ByteArrayOutputStream out, int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }
}
