package dev.etcdoperator.e2e;

import dev.etcdoperator.cluster.model.FaultPoints;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Makes the operator die at one fault point: the reconcile that reaches it goes no further (it blocks there until
 * the test has stopped the operator, then fails), as if the process had been killed at that moment.
 */
final class CrashAt implements FaultPoints {
  private final String point;
  private final CountDownLatch reached = new CountDownLatch(1);

  CrashAt(String point) {
    this.point = point;
  }

  @Override
  public void reached(String where) {
    if (!point.equals(where)) {
      return;
    }
    reached.countDown();
    try {
      new CountDownLatch(1).await(); // until the operator's shutdown interrupts this thread
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new IllegalStateException("the operator died at " + point);
  }

  /** Waits until the operator got there; then stop it (the reconcile stays stuck until then). */
  void awaitReached(Duration atMost) {
    try {
      if (!reached.await(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("the operator never reached fault point " + point + " within " + atMost);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public String toString() {
    return "crash at " + point;
  }
}
