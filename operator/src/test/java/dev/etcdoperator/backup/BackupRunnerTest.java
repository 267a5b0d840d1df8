package dev.etcdoperator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Backup attempts run on the runner's own threads, never more at once than it allows, and are collected once. */
class BackupRunnerTest {

  @Test
  void attemptsRunOffTheCallersThreadAtMostMaxConcurrentAtOnce() throws Exception {
    BackupRunner runner = new BackupRunner(2);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    Thread caller = Thread.currentThread();
    AtomicInteger onCaller = new AtomicInteger();
    for (int i = 0; i < 5; i++) {
      runner.start("ns/backup-" + i, () -> {
        if (Thread.currentThread() == caller) {
          onCaller.incrementAndGet();
        }
        mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
          release.await(30, TimeUnit.SECONDS);
        } finally {
          running.decrementAndGet();
        }
        return null;
      });
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 2);
    assertThat(runner.running("ns/backup-4")).as("queued, not yet collectable").isTrue();
    assertThat(runner.collect("ns/backup-0")).isEmpty();

    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> !runner.running("ns/backup-4"));
    assertThat(mostAtOnce.get()).isEqualTo(2);
    assertThat(onCaller.get()).isZero();
    assertThat(runner.collect("ns/backup-4")).hasValueSatisfying(o ->
        assertThat(o).isInstanceOf(BackupRunner.Outcome.Completed.class));
    assertThat(runner.collect("ns/backup-4")).as("collected once").isEmpty();
  }

  @Test
  void aFailureIsAnOutcomeAndAnythingElseARetryableOne() {
    BackupRunner runner = new BackupRunner(1);
    runner.start("ns/refused", () -> {
      throw new BackupFailure("ObjectStoreError", "bucket gone", false);
    });
    runner.start("ns/broken", () -> {
      throw new IllegalStateException("API server said no");
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> !runner.running("ns/refused") && !runner.running("ns/broken"));

    assertThat(runner.collect("ns/refused")).hasValueSatisfying(o -> {
      BackupFailure failure = ((BackupRunner.Outcome.Failed) o).failure();
      assertThat(failure.reason()).isEqualTo("ObjectStoreError");
      assertThat(failure.retryable()).isFalse();
    });
    assertThat(runner.collect("ns/broken")).hasValueSatisfying(o -> {
      BackupFailure failure = ((BackupRunner.Outcome.Failed) o).failure();
      assertThat(failure.reason()).isEqualTo("AttemptError");
      assertThat(failure.getMessage()).contains("API server said no");
      assertThat(failure.retryable()).isTrue();
    });
  }
}
