package dev.etcdoperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReconcileThreadsTest {
  /** A burst runs side by side on as many threads as allowed; afterwards, idle, the pool keeps none of them. */
  @Test
  void aBurstGetsItsThreadsAndTheyGoOnceIdle() throws InterruptedException {
    ReconcileThreads pool = ReconcileThreads.create(4, Duration.ofMillis(200));
    try {
      CountDownLatch release = new CountDownLatch(1);
      Set<String> names = ConcurrentHashMap.newKeySet();
      AtomicInteger done = new AtomicInteger();
      CountDownLatch allRunning = blockEach(pool, 6, 4, release, names, done);
      assertThat(allRunning.await(10, TimeUnit.SECONDS)).as("four reconciles at once").isTrue();
      assertThat(pool.threads()).isEqualTo(4);
      // The two beyond the limit wait their turn rather than being refused.
      assertThat(pool.waiting()).isEqualTo(2);
      release.countDown();

      await().atMost(Duration.ofSeconds(10)).until(() -> done.get() == 6);
      await().atMost(Duration.ofSeconds(10)).until(() -> pool.threads() == 0);
      assertThat(names).allMatch(n -> n.startsWith("reconciler-"));
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Work that arrives while the last thread is ending (idle too long) must still run: a thread that has decided to end
   * no longer counts against the limit, or the work would wait for a thread that never comes. The idle time is about
   * as long as the gaps between tasks, so many of them arrive in that moment.
   */
  @Test
  void workArrivingAsTheLastThreadEndsStillRuns() throws InterruptedException {
    ReconcileThreads pool = ReconcileThreads.create(1, Duration.ofNanos(200_000));
    try {
      for (int i = 0; i < 3000; i++) {
        CountDownLatch ran = new CountDownLatch(1);
        pool.execute(ran::countDown);
        assertThat(ran.await(5, TimeUnit.SECONDS)).as("task %d ran", i).isTrue();
        // the scenario, not a wait for a condition: a gap near the idle time, so the thread is ending now and then
        TimeUnit.NANOSECONDS.sleep(100_000 + (i % 7) * 30_000);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * After a burst, a trickle of short work (a hundred clusters looked at every few seconds) keeps the one thread it
   * needs: new work goes to the thread idle the shortest, so the others stay idle and end. Handed round in turn, each
   * would get work more often than its idle time and all of them would stay.
   */
  @Test
  void aTrickleOfWorkKeepsOnlyTheThreadsItNeeds() throws InterruptedException {
    ReconcileThreads pool = ReconcileThreads.create(4, Duration.ofMillis(400));
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    try {
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger done = new AtomicInteger();
      CountDownLatch allRunning = blockEach(pool, 4, 4, release, ConcurrentHashMap.newKeySet(), done);
      assertThat(allRunning.await(10, TimeUnit.SECONDS)).isTrue();
      release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> done.get() == 4);

      AtomicInteger trickled = new AtomicInteger();
      trickle.scheduleAtFixedRate(() -> pool.execute(trickled::incrementAndGet), 0, 50, TimeUnit.MILLISECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() -> trickled.get() > 40 && pool.threads() == 1);
    } finally {
      trickle.shutdownNow();
      pool.shutdownNow();
    }
  }

  @Test
  void shutdownRunsWhatWaitsAndRefusesMore() throws InterruptedException {
    ReconcileThreads pool = ReconcileThreads.create(1, Duration.ofSeconds(30));
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger done = new AtomicInteger();
    blockEach(pool, 2, 1, release, ConcurrentHashMap.newKeySet(), done).await(10, TimeUnit.SECONDS);

    pool.shutdown();
    assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    assertThat(pool.awaitTermination(100, TimeUnit.MILLISECONDS)).as("still running").isFalse();
    release.countDown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(done.get()).isEqualTo(2);
  }

  @Test
  void shutdownNowInterruptsTheRunningAndHandsBackTheWaiting() throws InterruptedException {
    ReconcileThreads pool = ReconcileThreads.create(1, Duration.ofSeconds(30));
    AtomicInteger done = new AtomicInteger();
    blockEach(pool, 3, 1, new CountDownLatch(1), ConcurrentHashMap.newKeySet(), done).await(10, TimeUnit.SECONDS);

    List<Runnable> notRun = pool.shutdownNow();
    assertThat(notRun).hasSize(2);
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(pool.isTerminated()).isTrue();
    assertThat(done.get()).as("the running one ended on its interrupt").isEqualTo(1);
  }

  @Test
  void anInterruptOneTaskLeavesIsNotTheNextOnes() throws InterruptedException {
    ReconcileThreads pool = ReconcileThreads.create(1, Duration.ofSeconds(30));
    try {
      AtomicBoolean nextInterrupted = new AtomicBoolean(true);
      CountDownLatch ran = new CountDownLatch(1);
      pool.execute(() -> Thread.currentThread().interrupt());
      pool.execute(() -> {
        nextInterrupted.set(Thread.currentThread().isInterrupted());
        ran.countDown();
      });
      assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(nextInterrupted).isFalse();
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Submits {@code count} tasks that each wait for {@code release} (or an interrupt), recording their thread's name
   * and counting themselves done; the latch returned opens once {@code running} of them run.
   */
  private static CountDownLatch blockEach(ReconcileThreads pool, int count, int running, CountDownLatch release,
      Set<String> names, AtomicInteger done) {
    CountDownLatch started = new CountDownLatch(running);
    for (int i = 0; i < count; i++) {
      pool.execute(() -> {
        names.add(Thread.currentThread().getName());
        started.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        done.incrementAndGet();
      });
    }
    return started;
  }
}
