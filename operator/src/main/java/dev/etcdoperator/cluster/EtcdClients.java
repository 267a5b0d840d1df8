package dev.etcdoperator.cluster;

import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.EtcdConnection;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One etcd client per cluster, reused across reconciles (a jetcd client holds connections and threads). A client
 * is replaced when the cluster's endpoints change and closed when unused for a while, e.g. after the cluster was
 * deleted.
 */
public final class EtcdClients implements AutoCloseable {
  static final Duration IDLE_LIMIT = Duration.ofMinutes(10);

  private record Entry(Set<URI> endpoints, EtcdClient client, Instant lastUsed) {}

  private final Function<List<URI>, EtcdConnection> connections;
  private final Clock clock;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  public EtcdClients(Function<List<URI>, EtcdConnection> connections, Clock clock) {
    this.connections = connections;
    this.clock = clock;
  }

  public EtcdClient forCluster(String key, List<URI> endpoints) {
    closeIdle();
    Set<URI> wanted = Set.copyOf(endpoints);
    return entries.compute(key, (k, old) -> {
      if (old != null && old.endpoints().equals(wanted)) {
        return new Entry(wanted, old.client(), clock.instant());
      }
      if (old != null) {
        old.client().close();
      }
      return new Entry(wanted, EtcdClient.connect(connections.apply(endpoints)), clock.instant());
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
  }
}
