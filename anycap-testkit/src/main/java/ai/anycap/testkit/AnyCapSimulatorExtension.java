package ai.anycap.testkit;

import ai.anycap.client.AnyCapClient;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives each test a fresh {@link AnyCapSimulator}, started before the
 * test and closed after it, and injects the simulator or a client wired to it into test method
 * parameters.
 *
 * <pre>{@code
 * class MyPipelineTest {
 *   @RegisterExtension
 *   final AnyCapSimulatorExtension anycap =
 *       AnyCapSimulatorExtension.configure(b -> b.fault(Fault.serverError(503).onNthRequest(1)));
 *
 *   @Test
 *   void retriesA503(AnyCapClient client) {
 *     new MyPipeline(client).run();
 *     assertThat(anycap.simulator().counters().imagesGenerated()).isEqualTo(1);
 *   }
 * }
 * }</pre>
 *
 * <p>{@code @ExtendWith(AnyCapSimulatorExtension.class)} works too, with every default. Needs
 * {@code junit-jupiter-api} on the test classpath (anycap-testkit declares it optional). When
 * test methods run in parallel, take the simulator as a parameter rather than from {@link
 * #simulator()}, which holds the one of the test that started last.
 */
public final class AnyCapSimulatorExtension
    implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

  private static final String KEY = "simulator";

  private final Consumer<AnyCapSimulatorBuilder> configuration;
  // Per instance, so that two of these extensions on one test keep their simulators apart.
  private final ExtensionContext.Namespace namespace =
      ExtensionContext.Namespace.create(AnyCapSimulatorExtension.class, this);
  private volatile AnyCapSimulator current;

  /** Every default; for {@code @ExtendWith}. */
  public AnyCapSimulatorExtension() {
    this(b -> {});
  }

  private AnyCapSimulatorExtension(Consumer<AnyCapSimulatorBuilder> configuration) {
    this.configuration = configuration;
  }

  /**
   * An extension whose simulators have every default.
   *
   * @return a new extension, for {@code @RegisterExtension}
   */
  public static AnyCapSimulatorExtension create() {
    return new AnyCapSimulatorExtension();
  }

  /**
   * An extension whose simulators are set up by {@code configuration} before each test.
   *
   * @param configuration applied to a fresh builder before each test, so it may set faults,
   *     latency or a rate limit
   * @return a new extension, for {@code @RegisterExtension}
   */
  public static AnyCapSimulatorExtension configure(Consumer<AnyCapSimulatorBuilder> configuration) {
    return new AnyCapSimulatorExtension(Objects.requireNonNull(configuration, "configuration"));
  }

  /**
   * The running test's simulator.
   *
   * @return the simulator started for the running test
   * @throws IllegalStateException outside a test
   */
  public AnyCapSimulator simulator() {
    AnyCapSimulator s = current;
    if (s == null) {
      throw new IllegalStateException("no simulator: the AnyCapSimulatorExtension starts one per test");
    }
    return s;
  }

  /**
   * A client wired to the running test's simulator.
   *
   * @return that simulator's {@link AnyCapSimulator#client()}
   * @throws IllegalStateException outside a test
   */
  public AnyCapClient client() {
    return simulator().client();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    AnyCapSimulatorBuilder builder = AnyCapSimulator.builder();
    configuration.accept(builder);
    AnyCapSimulator sim = builder.start();
    context.getStore(namespace).put(KEY, sim);
    current = sim;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    AnyCapSimulator sim = context.getStore(namespace).remove(KEY, AnyCapSimulator.class);
    if (sim != null) {
      if (current == sim) {
        current = null;
      }
      sim.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == AnyCapSimulator.class || type == AnyCapClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    AnyCapSimulator sim = context.getStore(namespace).get(KEY, AnyCapSimulator.class);
    if (sim == null) {
      throw new ParameterResolutionException(
          "AnyCapSimulatorExtension injects into test and @BeforeEach methods only, not"
              + " constructors or @BeforeAll methods");
    }
    return parameter.getParameter().getType() == AnyCapClient.class ? sim.client() : sim;
  }
}
