package dev.etcdoperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReconcileThreadsTest {
  /** A burst runs side by side on as many threads as allowed; afterwards, idle, the pool keeps none of them. */
  @Test
  void aBurstGetsItsThreadsAndTheyGoOnceIdle() throws InterruptedException {
    ThreadPoolExecutor pool = ReconcileThreads.create(4, Duration.ofMillis(200));
    try {
      CountDownLatch allRunning = new CountDownLatch(4);
      CountDownLatch release = new CountDownLatch(1);
      Set<String> names = ConcurrentHashMap.newKeySet();
      for (int i = 0; i < 6; i++) {
        pool.execute(() -> {
          names.add(Thread.currentThread().getName());
          allRunning.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      }
      assertThat(allRunning.await(10, TimeUnit.SECONDS)).as("four reconciles at once").isTrue();
      assertThat(pool.getPoolSize()).isEqualTo(4);
      // The two beyond the limit wait their turn rather than being refused.
      assertThat(pool.getQueue()).hasSize(2);
      release.countDown();

      await().atMost(Duration.ofSeconds(10)).until(() -> pool.getCompletedTaskCount() == 6);
      await().atMost(Duration.ofSeconds(10)).until(() -> pool.getPoolSize() == 0);
      assertThat(names).allMatch(n -> n.startsWith("reconciler-"));
    } finally {
      pool.shutdownNow();
    }
  }
}
