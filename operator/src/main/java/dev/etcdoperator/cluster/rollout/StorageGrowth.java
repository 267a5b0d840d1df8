package dev.etcdoperator.cluster.rollout;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.StorageSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Optional;

/**
 * Whether the user asked for bigger member volumes than the StatefulSet's claim template gives. The template is
 * immutable, so growth means expanding each PVC and re-creating the StatefulSet (pods are kept, not restarted).
 */
public final class StorageGrowth {
  private StorageGrowth() {}

  /** The requested size, when it is larger than what the live StatefulSet provisions. */
  public static Optional<Quantity> requested(EtcdCluster cluster, StatefulSet live) {
    StorageSpec storage = Optional.ofNullable(cluster.getSpec().getStorage()).orElseGet(StorageSpec::defaultPersistent);
    Optional<Quantity> current = claimSize(live.getSpec().getVolumeClaimTemplates());
    if (storage.getSize() == null || current.isEmpty()) {
      return Optional.empty();
    }
    Quantity wanted = new Quantity(storage.getSize());
    return isLarger(wanted, current.get()) ? Optional.of(wanted) : Optional.empty();
  }

  static boolean isLarger(Quantity a, Quantity b) {
    return a.getNumericalAmount().compareTo(b.getNumericalAmount()) > 0;
  }

  static Optional<Quantity> claimSize(List<PersistentVolumeClaim> claims) {
    return claims == null ? Optional.empty() : claims.stream().findFirst()
        .map(c -> c.getSpec().getResources().getRequests().get("storage"));
  }
}
