package dev.etcdoperator.e2e;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one daemon thread a stand-in runs its work on: a pass every interval, a failed pass logged and retried on the
 * next one (a controller keeps going after an error), and a stop that waits for the pass under way.
 */
final class StandInLoop {
  private static final Logger LOG = LoggerFactory.getLogger(StandInLoop.class);

  private final String name;
  private final ScheduledExecutorService thread;

  StandInLoop(String name) {
    this.name = name;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  void every(Duration interval, Runnable pass) {
    thread.scheduleWithFixedDelay(() -> {
      try {
        pass.run();
      } catch (RuntimeException e) {
        if (!thread.isShutdown()) { // a pass that stop() interrupted (a file write fails on it) did not fail
          LOG.warn("{} pass failed: {}", name, e.toString());
        }
      }
    }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  void stop() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
