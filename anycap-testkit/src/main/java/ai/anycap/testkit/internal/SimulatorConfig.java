package ai.anycap.testkit.internal;

import ai.anycap.testkit.Fault;
import ai.anycap.testkit.Latency;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything a simulator is started with, as the public builder collected it.
 *
 * @param apiKey the key every API call must carry, or null to accept any
 * @param bindAddress the address to listen on: loopback by default, a wildcard for every interface
 * @param publicBaseUri the base of the URLs handed out, for clients that reach the simulator under
 *     another name; null for the bound address and port
 * @param port the port to listen on, 0 for an ephemeral one
 * @param latency the generate latency for models without one of their own
 * @param modelLatency generate latency by model id
 * @param permitsPerSecond the rate limit's refill rate; 0 for no limit
 * @param burst the rate limit's bucket size
 * @param credits the starting balance; {@link Long#MAX_VALUE} for unlimited
 * @param faults faults installed at start
 * @param seed the seed for faults, latencies and signatures
 * @param artifactTtl how long artifact URLs stay valid
 * @param clock the clock for the rate limit, artifact expiry and {@code Retry-After} dates
 * @param workerThreads threads that serve requests
 * @param schemaForm the form of published schemas
 * @param upscaleCredits what an upscale costs
 * @param readCredits what an image read costs
 * @param maxUploadBytes the largest upload a presign accepts (413 above)
 */
public record SimulatorConfig(
    String apiKey,
    InetAddress bindAddress,
    URI publicBaseUri,
    int port,
    Latency latency,
    Map<String, Latency> modelLatency,
    double permitsPerSecond,
    int burst,
    long credits,
    List<Fault> faults,
    long seed,
    Duration artifactTtl,
    Clock clock,
    int workerThreads,
    ai.anycap.testkit.SchemaForm schemaForm,
    long upscaleCredits,
    long readCredits,
    long maxUploadBytes) {

  public SimulatorConfig {
    modelLatency = Map.copyOf(modelLatency);
    faults = List.copyOf(faults);
  }

  public boolean unlimitedCredits() {
    return credits == Long.MAX_VALUE;
  }
}
