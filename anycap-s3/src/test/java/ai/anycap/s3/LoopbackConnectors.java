package ai.anycap.s3;

import java.net.InetAddress;
import org.apache.catalina.connector.Connector;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * Makes S3Mock listen on 127.0.0.1 only. {@code server.address} binds its main (HTTPS) connector,
 * but its extra plain-HTTP connector is created without an address, which Tomcat binds to every
 * interface; this customizer gives that connector the loopback address before the server starts.
 * S3Mock's Spring application picks it up as an extra source through {@code spring.main.sources}.
 */
public final class LoopbackConnectors implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    factory.setAddress(loopback);
    for (Connector connector : factory.getAdditionalTomcatConnectors()) {
      connector.setProperty("address", loopback.getHostAddress());
    }
  }
}
