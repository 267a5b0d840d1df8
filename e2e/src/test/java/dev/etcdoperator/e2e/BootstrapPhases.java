package dev.etcdoperator.e2e;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.resources.ClusterLabels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * When each cluster of a benchmark reached each step of its bootstrap, seen through watches (so to the millisecond,
 * not to the second as Kubernetes timestamps are): where the time to Ready goes, the operator's part and the pods'.
 */
final class BootstrapPhases implements AutoCloseable {
  enum Phase {
    CREATED, STATEFUL_SET, POD_RUNNING, POD_READY, READY
  }

  private final Map<String, Map<Phase, Instant>> seen = new ConcurrentHashMap<>();
  private final List<Watch> watches = new ArrayList<>();

  BootstrapPhases(KubernetesClient kube, String namespace) {
    watches.add(BootstrapPhases.<EtcdCluster>watch(w -> kube.resources(EtcdCluster.class).inNamespace(namespace).watch(w), (c, at) -> {
      if (c.getStatus() != null && Scenario.hasCondition(c, "Ready", "True")) {
        mark(c.getMetadata().getName(), Phase.READY, at);
      }
    }));
    watches.add(BootstrapPhases.<StatefulSet>watch(w -> kube.apps().statefulSets().inNamespace(namespace).watch(w),
        (s, at) -> mark(s.getMetadata().getName(), Phase.STATEFUL_SET, at)));
    watches.add(BootstrapPhases.<Pod>watch(w -> kube.pods().inNamespace(namespace).watch(w), (p, at) -> {
      String cluster = p.getMetadata().getLabels().getOrDefault(ClusterLabels.INSTANCE, "");
      if (!p.getMetadata().getName().endsWith("-0") || cluster.isEmpty() || p.getStatus() == null) {
        return;
      }
      if ("Running".equals(p.getStatus().getPhase())) {
        mark(cluster, Phase.POD_RUNNING, at);
      }
      if (p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType())
          && "True".equals(c.getStatus()))) {
        mark(cluster, Phase.POD_READY, at);
      }
    }));
  }

  void created(String cluster, Instant at) {
    mark(cluster, Phase.CREATED, at);
  }

  private void mark(String cluster, Phase phase, Instant at) {
    seen.computeIfAbsent(cluster, c -> new EnumMap<>(Phase.class)).putIfAbsent(phase, at);
  }

  /** Median and longest time from each phase to the next, over the clusters that reached both. */
  String summary() {
    StringBuilder out = new StringBuilder();
    Phase[] phases = Phase.values();
    for (int i = 1; i < phases.length; i++) {
      Phase from = phases[i - 1];
      Phase to = phases[i];
      List<Long> millis = seen.values().stream().filter(m -> m.containsKey(from) && m.containsKey(to))
          .map(m -> Duration.between(m.get(from), m.get(to)).toMillis()).sorted().toList();
      if (!millis.isEmpty()) {
        out.append(String.format("%s -> %s: median %d ms, longest %d ms; ", from, to,
            millis.get(millis.size() / 2), millis.get(millis.size() - 1)));
      }
    }
    last(Phase.POD_READY).ifPresent(podsReady -> last(Phase.READY).ifPresent(ready -> out.append(String.format(
        "last pod Ready -> last cluster Ready: %d ms", Duration.between(podsReady, ready).toMillis()))));
    return out.toString();
  }

  /** The operator's share after the last pod is Ready: from then until the last cluster shows Ready. */
  Optional<Duration> afterLastPodReady() {
    return last(Phase.POD_READY).flatMap(p -> last(Phase.READY).map(r -> Duration.between(p, r)));
  }

  private Optional<Instant> last(Phase phase) {
    return seen.values().stream().map(m -> m.get(phase)).filter(i -> i != null).max(Instant::compareTo);
  }

  @Override
  public void close() {
    watches.forEach(Watch::close);
  }

  private static <T extends HasMetadata> Watch watch(Function<Watcher<T>, Watch> open, BiConsumer<T, Instant> seen) {
    return open.apply(new Watcher<>() {
      @Override
      public void eventReceived(Action action, T resource) {
        if (action != Action.DELETED) {
          seen.accept(resource, Instant.now());
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        // the benchmark closes its watches when done; a watch that ends early just marks no more phases
      }
    });
  }
}
