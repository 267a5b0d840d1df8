package dev.etcdoperator.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The startup, liveness and readiness probes of one container run, with the kubelet's precedence: nothing but the
 * startup probe until it has passed once; then liveness; readiness drives Ready (without a readiness probe: Ready
 * once running).
 */
final class ContainerProbes {
  /** What the probes say about the container now. */
  enum Verdict { READY, NOT_READY, RESTART_FAILED_STARTUP, RESTART_FAILED_LIVENESS }

  private final Optional<ContainerProbe> startup;
  private final Optional<ContainerProbe> liveness;
  private final Optional<ContainerProbe> readiness;

  /** @param readinessPeriod the longest interval between readiness checks (see {@link Kubelet}) */
  ContainerProbes(Container container, String address, HttpClient http, Instant started, Duration readinessPeriod) {
    this.startup = probe(container.getStartupProbe(), container, address, http, started, null);
    this.liveness = probe(container.getLivenessProbe(), container, address, http, started, null);
    this.readiness = probe(container.getReadinessProbe(), container, address, http, started, readinessPeriod);
  }

  private static Optional<ContainerProbe> probe(Probe probe, Container container, String address, HttpClient http,
      Instant started, Duration maxPeriod) {
    return Optional.ofNullable(probe).map(p -> new ContainerProbe(p, container, address, http, started,
        maxPeriod == null ? Duration.ofDays(1) : maxPeriod));
  }

  Verdict poll(Instant now) {
    if (startup.isPresent() && !startup.get().everPassed()) {
      startup.get().poll(now);
      return startup.get().failedForGood() ? Verdict.RESTART_FAILED_STARTUP : Verdict.NOT_READY;
    }
    if (liveness.isPresent() && !liveness.get().poll(now) && liveness.get().failedForGood()) {
      return Verdict.RESTART_FAILED_LIVENESS;
    }
    return readiness.isEmpty() || readiness.get().poll(now) ? Verdict.READY : Verdict.NOT_READY;
  }
}
