package ai.anycap.bench;

import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.testkit.AnyCapSimulator;

/**
 * Loads and compiles the client, pipeline and simulator code before anything in this JVM is
 * timed: 1,000 jobs against a simulator with no latency. Once per JVM.
 */
final class WarmUp {

  private static boolean done;

  private WarmUp() {}

  static synchronized void once() {
    if (done) {
      return;
    }
    Progress.say("   warm-up: 1000 jobs at latency 0");
    try (AnyCapSimulator sim = AnyCapSimulator.builder().seed(1).start();
        Scratch out = Scratch.create("warmup");
        ImagePipeline pipeline = ImagePipeline.builder()
            .client(sim.client()).concurrency(16).outputRoot(out.path()).build()) {
      pipeline.run(Workload.literal("warmup", 1_000));
    }
    done = true;
  }
}
