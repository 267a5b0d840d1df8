package dev.etcdoperator;

import io.javaoperatorsdk.operator.api.config.ConfigurationService;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The reconcilers' threads. JOSDK's own pool is a fixed one: once a burst (100 new clusters, a restart) has grown it
 * to its 50 threads, they stay for the life of the process, each with its stack. These go after a while idle, and
 * the next burst starts them again.
 */
final class ReconcileThreads {
  static final int MAX = ConfigurationService.DEFAULT_RECONCILIATION_THREADS_NUMBER;
  static final Duration IDLE = Duration.ofSeconds(30);

  private ReconcileThreads() {}

  static ThreadPoolExecutor create(int max, Duration idle) {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(max, max, idle.toMillis(), TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), task -> {
          Thread thread = new Thread(task, "reconciler-" + count.incrementAndGet());
          // As JOSDK's own pool: whether a thread is a daemon must not depend on which thread happened to start it.
          thread.setDaemon(false);
          return thread;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
