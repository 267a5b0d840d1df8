package dev.etcdoperator.metrics;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The per-cluster series: gauges from the status each reconcile computes, registered when they first appear,
 * updated in place, removed when their member, certificate or condition is gone, and all removed (with the
 * cluster's counters) when the cluster is deleted. Also counts the leader changes it sees between two reconciles.
 */
public final class ClusterMetrics implements ClusterReporter {
  static final String LEADER_CHANGES = "etcdoperator_cluster_leader_changes_seen";

  private final MeterRegistry registry;
  private final Clock clock;
  private final Map<ClusterKey, ClusterSeries> clusters = new ConcurrentHashMap<>();

  public ClusterMetrics(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public void observed(EtcdCluster cluster, EtcdClusterStatus status) {
    ClusterKey key = ClusterKey.of(cluster);
    clusters.computeIfAbsent(key, ClusterSeries::new).update(ClusterGauges.of(cluster, status),
        LeaderIdentity.of(status));
  }

  @Override
  public void deleted(EtcdCluster cluster) {
    ClusterKey key = ClusterKey.of(cluster);
    clusters.remove(key);
    // Every series of ours labelled with this cluster: gauges, the leader counter and the Event counters.
    for (Meter meter : List.copyOf(registry.getMeters())) {
      Meter.Id id = meter.getId();
      if (id.getName().startsWith("etcdoperator_") && key.namespace().equals(id.getTag(ClusterKey.NAMESPACE))
          && key.name().equals(id.getTag(ClusterKey.CLUSTER))) {
        registry.remove(meter);
      }
    }
  }

  /** The gauges of one cluster; JOSDK never reconciles one resource on two threads, so updates do not overlap. */
  private final class ClusterSeries {
    private final ClusterKey key;
    /** Per series: the value its gauge reads at scrape time, and the gauge. */
    private final Map<String, AtomicReference<GaugeReading.Value>> values = new HashMap<>();
    private final Map<String, Gauge> gauges = new HashMap<>();
    private final Counter leaderChanges;
    private Optional<String> lastLeader = Optional.empty();

    ClusterSeries(ClusterKey key) {
      this.key = key;
      this.leaderChanges = Counter.builder(LEADER_CHANGES)
          .description("Changes of the cluster's leader the operator saw from one observation to the next (a "
              + "lower bound: two changes between observations count as one).")
          .tags(key.tags()).register(registry);
    }

    void update(List<GaugeReading> readings, Optional<String> leader) {
      Map<String, GaugeReading> current = new HashMap<>();
      readings.forEach(r -> current.put(r.series(), r));
      for (String gone : List.copyOf(gauges.keySet())) {
        if (!current.containsKey(gone)) {
          registry.remove(gauges.remove(gone));
          values.remove(gone);
        }
      }
      current.forEach((series, reading) -> {
        AtomicReference<GaugeReading.Value> value = values.get(series);
        if (value != null) {
          value.set(reading.value());
          return;
        }
        AtomicReference<GaugeReading.Value> fresh = new AtomicReference<>(reading.value());
        Tags tags = key.tags();
        if (reading.gauge().extraLabel().isPresent()) {
          tags = tags.and(reading.gauge().extraLabel().get(), reading.labelValue());
        }
        values.put(series, fresh);
        gauges.put(series, Gauge.builder(reading.gauge().prometheusName(), fresh,
                v -> v.get().at(clock.instant()))
            .description(reading.gauge().help()).tags(tags).strongReference(true).register(registry));
      });
      if (leader.isPresent()) {
        if (lastLeader.isPresent() && !lastLeader.equals(leader)) {
          leaderChanges.increment();
        }
        lastLeader = leader;
      }
    }
  }
}
