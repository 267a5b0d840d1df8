package dev.etcdoperator.e2e;

import dev.etcdoperator.EtcdOperator;
import dev.etcdoperator.cluster.model.FaultPoints;

/**
 * The real operator running in the test JVM against a backend, stopped and started again as a pod would be: a
 * stopped instance keeps nothing, a started one is new (own client, own member connections).
 */
final class InProcessOperator {
  /** Makes a fresh operator instance; {@code onFatalStop} is what it does when it cannot go on. */
  interface Factory {
    EtcdOperator create(Runnable onFatalStop, FaultPoints faults);
  }

  private final Factory factory;
  private EtcdOperator running;

  InProcessOperator(Factory factory) {
    this.factory = factory;
  }

  synchronized void start(FaultPoints faults) {
    if (running != null) {
      throw new IllegalStateException("the operator is running");
    }
    EtcdOperator fresh = factory.create(() -> {
      // no leader election in the scenarios: only a watch that ended for good stops it
      throw new AssertionError("the operator could not go on: a watch ended for good");
    }, faults);
    fresh.start();
    running = fresh;
  }

  synchronized void stop() {
    EtcdOperator stopping = running;
    running = null;
    if (stopping != null) {
      stopping.close();
    }
  }
}
