package dev.etcdoperator.backup;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Heap growth of this JVM while something runs, for benchmarks, relative to the heap after a full collection just
 * before. Two ways, because used heap alone mostly shows how long the collector let garbage pile up: sampling used
 * heap every few milliseconds (cheap, for timed runs; garbage included), or a full collection every second and the
 * heap it leaves (what the run holds; the collections slow the run, so it is not timed).
 */
final class HeapSampler implements AutoCloseable {
  private static final long SAMPLE_EVERY_MILLIS = 5;
  private static final long COLLECT_EVERY_MILLIS = 1000;

  private final long baseline;
  private final AtomicLong peak = new AtomicLong();
  private final boolean collecting;
  private final Thread sampler;
  private volatile boolean running = true;

  private HeapSampler(boolean collecting) {
    this.collecting = collecting;
    System.gc();
    baseline = used();
    peak.set(baseline);
    sampler = new Thread(this::sample, "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Peak used heap, garbage not yet collected included. */
  static HeapSampler sampling() {
    return new HeapSampler(false);
  }

  /** Peak heap left by a full collection each second: what the run holds live. */
  static HeapSampler collecting() {
    return new HeapSampler(true);
  }

  private void sample() {
    while (running) {
      if (collecting) {
        System.gc();
      }
      peak.accumulateAndGet(used(), Math::max);
      try {
        Thread.sleep(collecting ? COLLECT_EVERY_MILLIS : SAMPLE_EVERY_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static long used() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The peak over the baseline. */
  long growthBytes() {
    return peak.get() - baseline;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    sampler.interrupt();
    sampler.join();
  }
}
