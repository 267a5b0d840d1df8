package dev.etcdoperator;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells whether the operator still gets work done, for the liveness probe: a reconcile that has been running for
 * longer than {@code limit} holds a thread of the pool for good (a call without a timeout, a deadlock), and enough of
 * them leave every cluster without its operator while the process looks alive. JOSDK reports each reconcile and
 * cleanup through {@link Metrics#timeControllerExecution}; nothing else of the metrics interface is used here.
 * A replica that does not lead runs no reconcile, so it is never stuck.
 */
final class ReconcileWatchdog implements Metrics {
  /** A reconcile under way: which controller, for which object, since when. */
  record Running(String controller, String resource, Instant since) {}

  private final Clock clock;
  private final Duration limit;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, Running> running = new ConcurrentHashMap<>();

  ReconcileWatchdog(Clock clock, Duration limit) {
    this.clock = clock;
    this.limit = limit;
  }

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    long id = ids.incrementAndGet();
    running.put(id, new Running(execution.controllerName(), execution.resourceID().toString(), clock.instant()));
    try {
      return execution.execute();
    } finally {
      running.remove(id);
    }
  }

  /** The longest-running reconcile, when it has run longer than the limit. */
  Optional<Running> stuck() {
    Instant deadline = clock.instant().minus(limit);
    return running.values().stream().min(Comparator.comparing(Running::since))
        .filter(r -> r.since().isBefore(deadline));
  }
}
