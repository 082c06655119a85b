package ai.anycap.sinks.internal;

import ai.anycap.pipeline.SinkReceipt;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One request an HTTP sink makes for one image, and how to read its answer.
 *
 * @param request the request to send
 * @param description the request for messages and logs, such as {@code PATCH https://...}; no secret
 * @param redact removes secrets (a token a server echoed back) from text quoted in a message
 * @param receipt the receipt for a 2xx answer
 */
public record SinkCall(
    HttpRequest request,
    String description,
    UnaryOperator<String> redact,
    Function<HttpResponse<String>, SinkReceipt> receipt) {}
