/**
 * A local simulator of the AnyCap image API, for tests, examples and benchmarks: {@link
 * ai.anycap.testkit.AnyCapSimulator} (start one, point a client at it), {@link
 * ai.anycap.testkit.Fault} (failures to inject), {@link ai.anycap.testkit.Latency} (how long
 * generations take), {@link ai.anycap.testkit.SimulatorCounters} (what it has seen), {@link
 * ai.anycap.testkit.AnyCapSimulatorExtension} (one per JUnit 5 test) and {@link
 * ai.anycap.testkit.SimulatorMain} (run it as a process), and {@link ai.anycap.testkit.TokenBucket}
 * (the rate limit it enforces, for models of a client under it). Everything public lives in this package;
 * {@code ai.anycap.testkit.internal} is not API.
 */
package ai.anycap.testkit;
