package dev.etcdoperator.backup;

import dev.etcdoperator.testing.EtcdProcessCluster;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A one-member etcd holding a given amount of live data, for the backup benchmark. Filled with large values (half
 * a MiB, well under etcd's 1.5 MiB request limit) many puts at a time, so a GiB takes seconds rather than the
 * minutes small keys would; the values are random so that nothing on the way can compress them.
 */
final class BenchmarkDatabase {
  static final int VALUE_BYTES = 512 * 1024;
  private static final int PUTS_IN_FLIGHT = 16;
  /** etcd's suggested maximum: the default 2 GiB would refuse a database near it. */
  private static final long QUOTA_BYTES = 8L * 1024 * 1024 * 1024;

  private BenchmarkDatabase() {}

  /** A fresh member under {@code dir} with at least {@code liveBytes} of values in distinct keys. */
  static EtcdProcessCluster start(Path dir, long liveBytes) throws Exception {
    EtcdProcessCluster etcd = EtcdProcessCluster.builder(dir).members(1).namePrefix("bench")
        .extraArgs("--quota-backend-bytes=" + QUOTA_BYTES).start();
    try {
      fill(etcd, liveBytes);
      return etcd;
    } catch (Exception | Error e) {
      etcd.close();
      throw e;
    }
  }

  private static void fill(EtcdProcessCluster etcd, long liveBytes) throws Exception {
    byte[] value = new byte[VALUE_BYTES];
    new Random(19).nextBytes(value);
    ByteSequence content = ByteSequence.from(value);
    long keys = (liveBytes + VALUE_BYTES - 1) / VALUE_BYTES;
    Semaphore slots = new Semaphore(PUTS_IN_FLIGHT);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (Client writer = Client.builder().endpoints(etcd.clientUrls().toArray(java.net.URI[]::new)).build()) {
      for (long i = 0; i < keys && failure.get() == null; i++) {
        slots.acquire();
        writer.getKVClient().put(ByteSequence.from(String.format("/bench/%08d", i), StandardCharsets.UTF_8), content)
            .whenComplete((r, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
              slots.release();
            });
      }
      if (!slots.tryAcquire(PUTS_IN_FLIGHT, 5, TimeUnit.MINUTES)) {
        throw new IllegalStateException("puts still running after 5 minutes");
      }
    }
    if (failure.get() != null) {
      throw new IllegalStateException("filling etcd failed", failure.get());
    }
  }
}
