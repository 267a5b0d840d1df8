package dev.etcdoperator.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.time.Clock;

/**
 * The operator's meters on one registry (made by the entry point, or by a test): JVM and process meters, and the
 * cluster gauges and Event counters the reconcilers feed. JOSDK's own reconcile meters go on the same registry.
 */
public final class OperatorMeters implements AutoCloseable {
  private final MeterRegistry registry;
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final ReconcilerMetrics reconcilers;

  public OperatorMeters(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    this.reconcilers = new ReconcilerMetrics(new ClusterMetrics(registry, clock), new EventCounters(registry));
  }

  public MeterRegistry registry() {
    return registry;
  }

  public ReconcilerMetrics reconcilers() {
    return reconcilers;
  }

  @Override
  public void close() {
    gc.close();
  }
}
