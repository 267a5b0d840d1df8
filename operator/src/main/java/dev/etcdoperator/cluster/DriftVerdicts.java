package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link ObjectDrift}'s "in shape" verdicts, kept per cluster. Comparing an object means converting the desired and
 * the live object to JSON trees, the largest part of a steady reconcile's CPU (a flight recording of 100 clusters
 * bootstrapping: a fifth of the reconciles' samples). The same desired object against the same version of the same
 * live object gets the same verdict, and model objects compare by value cheaply, so the JSON comparison runs again
 * only when either side changed. Only "in shape" is kept: an object found drifted is applied, and its next version
 * is compared anew.
 */
final class DriftVerdicts {
  private record InShape(HasMetadata desired, String liveUid, String liveVersion) {
    boolean holdsFor(HasMetadata wanted, HasMetadata live) {
      return Objects.equals(liveUid, live.getMetadata().getUid())
          && Objects.equals(liveVersion, live.getMetadata().getResourceVersion()) && desired.equals(wanted);
    }
  }

  private final ObjectDrift drift;
  // by the cluster's UID, then by EtcdClusterReconciler.key of the object
  private final Map<String, Map<String, InShape>> byCluster = new ConcurrentHashMap<>();

  DriftVerdicts(ObjectDrift drift) {
    this.drift = drift;
  }

  boolean needsApply(EtcdCluster cluster, HasMetadata desired, HasMetadata live) {
    if (live == null) {
      return true;
    }
    Optional<Map<String, InShape>> kept = Optional.ofNullable(cluster.getMetadata().getUid())
        .map(uid -> byCluster.computeIfAbsent(uid, u -> new ConcurrentHashMap<>()));
    String key = EtcdClusterReconciler.key(desired);
    InShape before = kept.map(k -> k.get(key)).orElse(null);
    if (before != null && before.holdsFor(desired, live)) {
      return false;
    }
    boolean drifted = drift.needsApply(desired, live);
    kept.ifPresent(k -> {
      if (drifted || live.getMetadata().getResourceVersion() == null) {
        k.remove(key);
      } else {
        k.put(key, new InShape(desired, live.getMetadata().getUid(), live.getMetadata().getResourceVersion()));
      }
    });
    return drifted;
  }

  void forget(EtcdCluster cluster) {
    Optional.ofNullable(cluster.getMetadata().getUid()).ifPresent(byCluster::remove);
  }
}
