package dev.etcdoperator.e2e;

import dev.etcdoperator.cluster.model.FaultPoints;
import java.net.URI;

/**
 * How a backend runs the real operator: in the test JVM ({@link InProcessOperator}) or in a JVM of its own started as
 * the image starts it ({@link OperatorProcess}). Either way a stopped instance keeps nothing and a started one is new.
 */
interface OperatorRunner {
  void start(FaultPoints faults);

  void stop();

  /** Where the running instance serves its meters (Prometheus text). */
  URI metricsUrl();

  /** The process the running operator lives in (this JVM's own pid when it runs in-process). */
  long pid();
}
