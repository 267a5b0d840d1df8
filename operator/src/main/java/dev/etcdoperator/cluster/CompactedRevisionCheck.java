package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.cluster.model.EtcdView;
import dev.etcdoperator.etcd.EtcdClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Looks up the revision etcd compacted to last, once per interval (the operator's resync interval) per cluster:
 * etcd's own auto-compaction moves it, hourly by default, so looking at every reconcile would cost two requests for
 * nothing. When it looked last is kept in memory: a restarted operator looks at once.
 */
final class CompactedRevisionCheck {
  private final Clock clock;
  private final Duration interval;
  private final Map<String, Instant> lastLook = new ConcurrentHashMap<>();

  CompactedRevisionCheck(Clock clock, Duration interval) {
    this.clock = clock;
    this.interval = interval;
  }

  /** The compacted revision to record: looked up now when due, else {@code recorded}. */
  Optional<Long> refresh(EtcdCluster cluster, EtcdView etcd, Optional<Long> recorded) {
    String key = EtcdClusterReconciler.key(cluster);
    Instant now = clock.instant();
    Instant last = lastLook.get(key);
    if (!(etcd instanceof EtcdView.Reached reached) || (last != null && now.isBefore(last.plus(interval))
        && recorded.isPresent())) {
      return recorded;
    }
    lastLook.put(key, now);
    try {
      return Optional.of(reached.client().maintenance().compactedRevision());
    } catch (EtcdClientException e) {
      return recorded; // looked at again next time; the cluster's health is reported elsewhere
    }
  }

  void forget(EtcdCluster cluster) {
    lastLook.remove(EtcdClusterReconciler.key(cluster));
  }
}
