package dev.etcdoperator.backup;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Heap growth of this JVM while something runs, for benchmarks. Two figures, because used heap alone mostly shows
 * how long the collector let garbage pile up: the peak of used heap sampled every few milliseconds, and the peak of
 * what each collection during the run left behind (the live set, which is what grows if something holds the data).
 * Both relative to the heap after a full collection just before the run.
 */
final class HeapSampler implements AutoCloseable {
  private static final long SAMPLE_EVERY_MILLIS = 5;

  private final long baseline;
  private final AtomicLong peakUsed = new AtomicLong();
  private final AtomicLong peakAfterGc = new AtomicLong();
  private final Thread sampler;
  private final List<Runnable> unsubscribe = new ArrayList<>();
  private volatile boolean running = true;

  private HeapSampler() {
    System.gc();
    baseline = used();
    peakUsed.set(baseline);
    peakAfterGc.set(baseline);
    NotificationListener listener = (notification, handback) -> {
      if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
        var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        long after = info.getGcInfo().getMemoryUsageAfterGc().values().stream().mapToLong(MemoryUsage::getUsed)
            .sum();
        peakAfterGc.accumulateAndGet(after, Math::max);
      }
    };
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        unsubscribe.add(() -> {
          try {
            emitter.removeNotificationListener(listener);
          } catch (javax.management.ListenerNotFoundException ignored) {
            // already gone
          }
        });
      }
    }
    sampler = new Thread(this::sample, "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Collects, takes the baseline, and starts sampling. */
  static HeapSampler start() {
    return new HeapSampler();
  }

  private void sample() {
    while (running) {
      peakUsed.accumulateAndGet(used(), Math::max);
      try {
        Thread.sleep(SAMPLE_EVERY_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static long used() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Heap after a full collection before the run. */
  long baselineBytes() {
    return baseline;
  }

  /** Peak used heap during the run minus the baseline (garbage not yet collected included). */
  long peakGrowthBytes() {
    return peakUsed.get() - baseline;
  }

  /** The most heap any collection during the run left in use, minus the baseline (0 when none ran). */
  long liveGrowthBytes() {
    return Math.max(0, peakAfterGc.get() - baseline);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    sampler.join();
    unsubscribe.forEach(Runnable::run);
  }
}
