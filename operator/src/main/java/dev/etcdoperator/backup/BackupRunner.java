package dev.etcdoperator.backup;

import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs backup attempts on threads of their own, at most {@code maxConcurrent} at once (the others queue), so that
 * a long snapshot never holds a reconcile thread the clusters need, and the heap the attempts take stays bounded:
 * each running attempt holds a fixed number of upload part buffers, whatever the database size.
 */
final class BackupRunner {
  /** How an attempt ended: the stored snapshot, or why not. */
  sealed interface Outcome {
    record Completed(BackupAttempt.Result result) implements Outcome {}

    record Failed(BackupFailure failure) implements Outcome {}
  }

  private final ExecutorService pool;
  private final Map<String, Future<Outcome>> attempts = new ConcurrentHashMap<>();

  BackupRunner(int maxConcurrent) {
    AtomicInteger threads = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(maxConcurrent, r -> {
      Thread t = new Thread(r, "backup-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Queues an attempt for {@code backup} (namespace/name) unless one is running or waiting to be collected. */
  void start(String backup, Callable<BackupAttempt.Result> attempt) {
    attempts.computeIfAbsent(backup, key -> pool.submit(() -> {
      try {
        return new Outcome.Completed(attempt.call());
      } catch (BackupFailure failure) {
        return new Outcome.Failed(failure);
      } catch (Exception e) {
        return new Outcome.Failed(new BackupFailure(EtcdBackupConditions.Reason.ATTEMPT_ERROR, e.toString(), true));
      }
    }));
  }

  boolean running(String backup) {
    Future<Outcome> attempt = attempts.get(backup);
    return attempt != null && !attempt.isDone();
  }

  /** The outcome of the backup's finished attempt, once: empty while none is queued, running or uncollected. */
  Optional<Outcome> collect(String backup) {
    Future<Outcome> attempt = attempts.get(backup);
    if (attempt == null || !attempt.isDone()) {
      return Optional.empty();
    }
    attempts.remove(backup);
    try {
      return Optional.of(attempt.get());
    } catch (ExecutionException | InterruptedException e) {
      // The task catches everything itself; only a pool shut down under it ends here.
      return Optional.of(new Outcome.Failed(new BackupFailure(EtcdBackupConditions.Reason.ATTEMPT_ERROR,
          e.toString(), true)));
    }
  }
}
