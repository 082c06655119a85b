/**
 * Metrics and traces for anycap-java, through Micrometer: {@link
 * ai.anycap.micrometer.AnyCapObservability} observes every HTTP exchange of an {@code
 * AnyCapClient} (a timer and, with a tracer, a span each) and counts, times and gauges what an
 * {@code ImagePipeline} does. The meter names are constants of that class; the README's "Metrics"
 * section says what to alert on.
 */
package ai.anycap.micrometer;
