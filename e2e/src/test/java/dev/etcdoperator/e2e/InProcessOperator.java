package dev.etcdoperator.e2e;

import dev.etcdoperator.EtcdOperator;
import dev.etcdoperator.HealthEndpoint;
import dev.etcdoperator.cluster.model.FaultPoints;
import dev.etcdoperator.metrics.OperatorMeters;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;

/**
 * The real operator running in the test JVM against a backend, stopped and started again as a pod would be: a
 * stopped instance keeps nothing, a started one is new (own client, own member connections, own meters). Like the
 * entry point, it serves its meters over HTTP, at {@link #metricsUrl()}.
 */
final class InProcessOperator implements OperatorRunner {
  /**
   * Makes a fresh operator instance reporting to {@code meters}; {@code onFatalStop} is what it does when it
   * cannot go on.
   */
  interface Factory {
    EtcdOperator create(Runnable onFatalStop, FaultPoints faults, OperatorMeters meters);
  }

  /** One started instance and what serves its meters. */
  private record Running(EtcdOperator operator, OperatorMeters meters, HealthEndpoint http) {}

  private final Factory factory;
  private Running running;

  InProcessOperator(Factory factory) {
    this.factory = factory;
  }

  @Override
  public synchronized void start(FaultPoints faults) {
    if (running != null) {
      throw new IllegalStateException("the operator is running");
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMeters meters = new OperatorMeters(registry, Clock.systemUTC());
    EtcdOperator fresh = factory.create(() -> {
      // no leader election in the scenarios: only a watch that ended for good stops it
      throw new AssertionError("the operator could not go on: a watch ended for good");
    }, faults, meters);
    HealthEndpoint http;
    try {
      http = new HealthEndpoint(0, fresh::isLive, () -> true, registry::scrape);
    } catch (IOException e) {
      fresh.close();
      throw new UncheckedIOException(e);
    }
    fresh.start();
    running = new Running(fresh, meters, http);
  }

  @Override
  public synchronized void stop() {
    Running stopping = running;
    running = null;
    if (stopping != null) {
      stopping.http().close();
      stopping.operator().close();
      stopping.meters().close();
    }
  }

  @Override
  public synchronized URI metricsUrl() {
    if (running == null) {
      throw new IllegalStateException("the operator is not running");
    }
    return URI.create("http://127.0.0.1:" + running.http().port() + "/metrics");
  }

  /** The test JVM's: the operator shares it with the stand-ins, so what is measured of it bounds the operator's. */
  @Override
  public long pid() {
    return ProcessHandle.current().pid();
  }
}
