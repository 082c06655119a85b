package com.example.shop;

import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * S3Mock's plain-HTTP connector ignores {@code server.address} and would listen on every
 * interface; this keeps it on 127.0.0.1 (S3Mock loads it through {@code spring.main.sources}).
 */
public final class S3MockOnLoopback implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    factory.getAdditionalTomcatConnectors().forEach(c -> c.setProperty("address", "127.0.0.1"));
  }
}
