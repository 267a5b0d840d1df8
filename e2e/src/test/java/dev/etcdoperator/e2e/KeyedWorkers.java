package dev.etcdoperator.e2e;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work for many objects side by side, at most one piece for any one object at a time, as a real kubelet's pod
 * workers and a controller's workers do: a stand-in's loop offers each object's work on every pass, and an object
 * whose last piece is still running is skipped until a later pass. So one slow object (a probe that times out, a
 * slow API request) does not hold up the others, and no two actions on one object race.
 */
final class KeyedWorkers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KeyedWorkers.class);

  private final String name;
  private final ExecutorService threads;
  private final Set<String> busy = ConcurrentHashMap.newKeySet();

  KeyedWorkers(String name, int threads) {
    this.name = name;
    AtomicInteger count = new AtomicInteger();
    this.threads = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, name + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Runs {@code work} for {@code key} unless a piece for it is still pending or running; says which. */
  boolean offer(String key, Runnable work) {
    if (!busy.add(key)) {
      return false;
    }
    try {
      threads.execute(() -> {
        try {
          work.run();
        } catch (RuntimeException e) {
          LOG.warn("{} work for {} failed: {}", name, key, e.toString());
        } finally {
          busy.remove(key);
        }
      });
      return true;
    } catch (RejectedExecutionException closed) {
      busy.remove(key);
      return false;
    }
  }

  /** Stops taking work and waits for what runs (a piece that starts a process finishes, so none is left behind). */
  @Override
  public void close() {
    threads.shutdownNow();
    try {
      if (!threads.awaitTermination(15, TimeUnit.SECONDS)) {
        LOG.warn("{}: work still running after 15 s", name);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
