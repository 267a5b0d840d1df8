package dev.etcdoperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etcdoperator.testing.MutableClock;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The liveness probe fails once a reconcile holds its thread past the limit (review finding 24, liveness). */
class ReconcileWatchdogTest {
  private static final Instant START = Instant.parse("2026-12-03T10:00:00Z");
  private final MutableClock clock = new MutableClock(START);
  private final ReconcileWatchdog watchdog = new ReconcileWatchdog(clock, Duration.ofMinutes(10));

  @Test
  void aReconcileRunningPastTheLimitIsStuckUntilItReturns() throws Exception {
    AtomicReference<Optional<ReconcileWatchdog.Running>> atNine = new AtomicReference<>();
    AtomicReference<Optional<ReconcileWatchdog.Running>> atEleven = new AtomicReference<>();

    String result = watchdog.timeControllerExecution(execution("etcdcluster", () -> {
      clock.advance(Duration.ofMinutes(9));
      atNine.set(watchdog.stuck());
      clock.advance(Duration.ofMinutes(2));
      atEleven.set(watchdog.stuck());
      return "done";
    }));

    assertThat(result).isEqualTo("done");
    assertThat(atNine.get()).isEmpty();
    assertThat(atEleven.get()).contains(new ReconcileWatchdog.Running("etcdcluster",
        new ResourceID("main", "db").toString(), START));
    assertThat(watchdog.stuck()).as("returned").isEmpty();
  }

  @Test
  void aReconcileThatThrowsIsNoLongerRunning() {
    assertThatThrownBy(() -> watchdog.timeControllerExecution(execution("etcdbackup", () -> {
      throw new IllegalStateException("boom");
    }))).hasMessage("boom");
    clock.advance(Duration.ofHours(1));

    assertThat(watchdog.stuck()).isEmpty();
  }

  private static <T> Metrics.ControllerExecution<T> execution(String controller, Callable<T> body) {
    return new Metrics.ControllerExecution<>() {
      @Override
      public String name() {
        return "reconcile";
      }

      @Override
      public String controllerName() {
        return controller;
      }

      @Override
      public String successTypeName(T result) {
        return "done";
      }

      @Override
      public ResourceID resourceID() {
        return new ResourceID("main", "db");
      }

      @Override
      public Map<String, Object> metadata() {
        return Map.of();
      }

      @Override
      public T execute() throws Exception {
        return body.call();
      }
    };
  }
}
