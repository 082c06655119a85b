package ai.anycap.client;

/**
 * Hears every HTTP exchange a client makes: API calls, image downloads and the {@code PUT}s of
 * reference uploads. For metrics and traces: {@code anycap-micrometer} plugs Micrometer's
 * Observation API in here, with no Micrometer type in this module.
 *
 * <pre>{@code
 * AnyCapClient client = AnyCapClient.builder().fromEnv()
 *     .exchangeListener(request -> {
 *       long t0 = System.nanoTime();               // or start a span
 *       return result -> log.info("{} {} in {}", request.endpoint(), result.status(), result.duration());
 *     })
 *     .build();
 * }</pre>
 *
 * <p>{@link #onRequest} is called on the thread that sends the request, just before it is sent,
 * so a span started there has the exchange's real start time and the caller's span as parent;
 * the {@link Exchange} it returns is told once how the exchange ended, on an HTTP thread. A
 * download is one exchange however many redirects it follows; each attempt of an upload's {@code
 * PUT} is one. Neither the API key nor a full URL ever reaches a listener: endpoints are bounded
 * routes such as {@code POST /v1/image/generate}, safe as metric tags. Keep both calls quick and
 * non-blocking: they run on the request's path. An exception a listener throws is logged and
 * otherwise ignored.
 */
@FunctionalInterface
public interface ExchangeListener {

  /** Hears nothing; the default. */
  ExchangeListener NONE = request -> Exchange.IGNORED;

  /**
   * An exchange is about to be sent.
   *
   * @param request what is being sent: its route and trace id
   * @return what to tell how the exchange ended; {@link Exchange#IGNORED} to hear nothing more
   */
  Exchange onRequest(ExchangeRequest request);

  /** One exchange under way, as {@link #onRequest} returned it. */
  @FunctionalInterface
  interface Exchange {

    /** Hears nothing. */
    Exchange IGNORED = result -> {};

    /**
     * The exchange ended: an answer arrived (whatever its status), or none will.
     *
     * @param result how it ended
     */
    void onEnd(ExchangeResult result);
  }
}
