package dev.etcdoperator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
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
 *
 * <p>JOSDK takes one {@link Metrics}, and its aggregate times an execution with the first of its list only, so the
 * watchdog passes every call on to {@code next} (the Micrometer meters) and wraps the execution it times.
 */
final class ReconcileWatchdog implements Metrics {
  /** A reconcile under way: which controller, for which object, since when. */
  record Running(String controller, String resource, Instant since) {}

  private final Clock clock;
  private final Duration limit;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, Running> running = new ConcurrentHashMap<>();
  private final Metrics next;

  ReconcileWatchdog(Clock clock, Duration limit) {
    this(clock, limit, Metrics.NOOP);
  }

  ReconcileWatchdog(Clock clock, Duration limit, Metrics next) {
    this.clock = clock;
    this.limit = limit;
    this.next = next;
  }

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    long id = ids.incrementAndGet();
    running.put(id, new Running(execution.controllerName(), execution.resourceID().toString(), clock.instant()));
    try {
      return next.timeControllerExecution(execution);
    } finally {
      running.remove(id);
    }
  }

  @Override
  public void controllerRegistered(Controller<? extends HasMetadata> controller) {
    next.controllerRegistered(controller);
  }

  @Override
  public void receivedEvent(Event event, Map<String, Object> metadata) {
    next.receivedEvent(event, metadata);
  }

  @Override
  public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
    next.reconcileCustomResource(resource, retryInfo, metadata);
  }

  @Override
  public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
    next.failedReconciliation(resource, exception, metadata);
  }

  @Override
  public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
    next.reconciliationExecutionStarted(resource, metadata);
  }

  @Override
  public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
    next.reconciliationExecutionFinished(resource, metadata);
  }

  @Override
  public void cleanupDoneFor(ResourceID resourceID, Map<String, Object> metadata) {
    next.cleanupDoneFor(resourceID, metadata);
  }

  @Override
  public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
    next.finishedReconciliation(resource, metadata);
  }

  @Override
  public <T extends Map<?, ?>> T monitorSizeOf(T map, String name) {
    return next.monitorSizeOf(map, name);
  }

  /** The longest-running reconcile, when it has run longer than the limit. */
  Optional<Running> stuck() {
    Instant deadline = clock.instant().minus(limit);
    return running.values().stream().min(Comparator.comparing(Running::since))
        .filter(r -> r.since().isBefore(deadline));
  }
}
