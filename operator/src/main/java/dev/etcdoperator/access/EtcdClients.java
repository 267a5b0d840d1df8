package dev.etcdoperator.access;

import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.EtcdConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * One etcd client per cluster, reused across reconciles (a jetcd client holds connections). A client is replaced
 * when the cluster's connection changes (endpoints, or renewed credentials, which come with new file paths) and
 * closed when unused for a while, e.g. after the cluster was deleted. All clients share one pool of threads, which
 * grows with the calls in flight rather than with the number of clusters.
 */
public final class EtcdClients implements AutoCloseable {
  static final Duration IDLE_LIMIT = Duration.ofMinutes(10);
  static final String THREAD_NAME_PREFIX = "etcd-clients-";

  private record Entry(EtcdConnection connection, EtcdClient client, Instant lastUsed) {}

  private final Clock clock;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final ExecutorService threads = EtcdClient.sharedExecutor(THREAD_NAME_PREFIX);

  public EtcdClients(Clock clock) {
    this.clock = clock;
  }

  public EtcdClient forCluster(String key, EtcdConnection connection) {
    closeIdle();
    return entries.compute(key, (k, old) -> {
      if (old != null && old.connection().equals(connection)) {
        return new Entry(connection, old.client(), clock.instant());
      }
      if (old != null) {
        old.client().close();
      }
      return new Entry(connection, EtcdClient.connect(connection, threads), clock.instant());
    }).client();
  }

  public void forget(String key) {
    Entry old = entries.remove(key);
    if (old != null) {
      old.client().close();
    }
  }

  private void closeIdle() {
    Instant cutoff = clock.instant().minus(IDLE_LIMIT);
    entries.entrySet().removeIf(e -> {
      boolean idle = e.getValue().lastUsed().isBefore(cutoff);
      if (idle) {
        e.getValue().client().close();
      }
      return idle;
    });
  }

  @Override
  public void close() {
    entries.values().forEach(e -> e.client().close());
    entries.clear();
    threads.shutdownNow();
  }
}
