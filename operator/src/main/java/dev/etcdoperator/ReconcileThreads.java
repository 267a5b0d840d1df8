package dev.etcdoperator;

import io.javaoperatorsdk.operator.api.config.ConfigurationService;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The reconcilers' threads: at most {@code max} at once, more work waits its turn, and a thread idle for a while
 * ends. JOSDK's own pool is a fixed one, whose threads stay for the life of the process once a burst (100 new
 * clusters, a restart) has started them, each with its stack. A {@code ThreadPoolExecutor} whose threads may time
 * out does not help either: its idle threads take new work in the order they became idle, so a trickle of work (100
 * clusters looked at every few seconds) reaches each of them in turn and none is ever idle long enough to end. Here
 * new work goes to the thread idle the shortest, so a trickle keeps one or two busy and the rest end.
 */
final class ReconcileThreads extends AbstractExecutorService {
  static final int MAX = ConfigurationService.DEFAULT_RECONCILIATION_THREADS_NUMBER;
  static final Duration IDLE = Duration.ofSeconds(30);

  private final int max;
  private final long idleNanos;
  private final AtomicInteger names = new AtomicInteger();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition terminated = lock.newCondition();
  /** Threads waiting for work, the one idle the shortest first. */
  private final Deque<Worker> idle = new ArrayDeque<>();
  private final Deque<Runnable> waiting = new ArrayDeque<>();
  private final Set<Worker> workers = new HashSet<>();
  private boolean shutdown;
  /** Set by {@link #shutdownNow}: from then on the threads' interrupts are meant for the work they run. */
  private volatile boolean stopping;

  private ReconcileThreads(int max, Duration idle) {
    this.max = max;
    this.idleNanos = idle.toNanos();
  }

  static ReconcileThreads create(int max, Duration idle) {
    return new ReconcileThreads(max, idle);
  }

  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task);
    lock.lock();
    try {
      if (shutdown) {
        throw new RejectedExecutionException("the reconcilers' threads are shut down");
      }
      Worker worker = idle.pollFirst();
      if (worker != null) {
        worker.hand(task);
      } else if (workers.size() < max) {
        worker = new Worker(task);
        workers.add(worker);
        worker.thread.start();
      } else {
        waiting.addLast(task);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Threads alive, busy or idle. */
  int threads() {
    return locked(workers::size);
  }

  /** Work waiting for a thread. */
  int waiting() {
    return locked(waiting::size);
  }

  @Override
  public void shutdown() {
    lock.lock();
    try {
      shutdown = true;
      idle.forEach(Worker::wake);
      if (workers.isEmpty()) {
        terminated.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<Runnable> shutdownNow() {
    lock.lock();
    try {
      shutdown();
      stopping = true;
      List<Runnable> notRun = new ArrayList<>(waiting);
      waiting.clear();
      workers.forEach(w -> w.thread.interrupt());
      return notRun;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isShutdown() {
    return locked(() -> shutdown);
  }

  @Override
  public boolean isTerminated() {
    return locked(() -> shutdown && workers.isEmpty());
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lock();
    try {
      while (!(shutdown && workers.isEmpty())) {
        if (nanos <= 0) {
          return false;
        }
        nanos = terminated.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private <T> T locked(Supplier<T> read) {
    lock.lock();
    try {
      return read.get();
    } finally {
      lock.unlock();
    }
  }

  private final class Worker implements Runnable {
    private final Thread thread;
    private final Condition handed = lock.newCondition();
    private Runnable next;

    Worker(Runnable first) {
      next = first;
      thread = new Thread(this, "reconciler-" + names.incrementAndGet());
      // As JOSDK's own pool: whether a thread is a daemon must not depend on which thread happened to start it.
      thread.setDaemon(false);
    }

    /** Called with the lock held. */
    void hand(Runnable task) {
      next = task;
      handed.signal();
    }

    /** Called with the lock held. */
    void wake() {
      handed.signal();
    }

    @Override
    public void run() {
      try {
        for (Runnable task = next(); task != null; task = next()) {
          try {
            task.run();
          } catch (RuntimeException | Error e) {
            thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
          }
          if (!stopping) {
            Thread.interrupted(); // an interrupt one task left behind is not the next one's
          }
        }
      } finally {
        lock.lock();
        try {
          leave();
        } finally {
          lock.unlock();
        }
      }
    }

    /** Called with the lock held; once is enough, twice does no harm. */
    private void leave() {
      workers.remove(this);
      idle.remove(this);
      if (shutdown && workers.isEmpty()) {
        terminated.signalAll();
      }
    }

    /**
     * The next task: one handed over or waiting its turn, else null once idle too long or shut down. A thread that
     * returns null has left the pool under the same lock, so no work is counted against it after that.
     */
    private Runnable next() {
      lock.lock();
      try {
        if (next == null) {
          next = waiting.pollFirst();
        }
        if (next == null && !shutdown) {
          idle.addFirst(this);
          long nanos = idleNanos;
          try {
            while (next == null && !shutdown && nanos > 0) {
              nanos = handed.awaitNanos(nanos);
            }
          } catch (InterruptedException e) {
            // shutdownNow: end, unless a task was handed over at the same moment
          }
          idle.remove(this);
        }
        Runnable task = next;
        next = null;
        if (task == null) {
          leave();
        }
        return task;
      } finally {
        lock.unlock();
      }
    }
  }
}
