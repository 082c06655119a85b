package ai.anycap.client;

/**
 * The call failed in transport: the connection was refused, reset or timed out before a complete
 * answer arrived.
 *
 * <p>{@link #mayHaveReachedServer()} matters for calls that cost money: when it is true, the server
 * may have done (and billed) the work even though no answer came back.
 *
 * @serial exclude
 */
public final class AnyCapIoException extends AnyCapException {

  private final boolean mayHaveReachedServer;

  /**
   * Used by the client when a call fails in transport; public so that tests can build one.
   *
   * @param message what failed, naming the call
   * @param cause the transport's exception
   * @param mayHaveReachedServer false only when the request certainly never left this machine
   */
  public AnyCapIoException(String message, Throwable cause, boolean mayHaveReachedServer) {
    super(message, cause);
    this.mayHaveReachedServer = mayHaveReachedServer;
  }

  /**
   * Whether the server may have received the request, and so done and billed its work.
   *
   * @return false only when the request certainly never left this machine (connection refused,
   *     say)
   */
  public boolean mayHaveReachedServer() {
    return mayHaveReachedServer;
  }

  @Override
  public boolean retryable() {
    return true;
  }
}
