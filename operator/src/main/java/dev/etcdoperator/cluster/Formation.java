package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.cluster.model.EtcdView;
import dev.etcdoperator.cluster.model.MembershipFacts.MemberClaim;
import dev.etcdoperator.cluster.model.MemberObjects;
import dev.etcdoperator.resources.BootstrapConfig.InitialClusterState;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.Optional;

/** Whether a cluster has formed, from its durable records; and data that no record accounts for. */
final class Formation {
  private Formation() {}

  /** Once formed, always formed: any durable sign of it counts, so no member ever restarts a new cluster. */
  static boolean isFormed(EtcdCluster cluster, Optional<ConfigMap> bootstrapConfig, EtcdView etcd) {
    boolean recordedInStatus = cluster.getStatus() != null && cluster.getStatus().getClusterID() != null;
    boolean recordedInConfig = bootstrapConfig.flatMap(DesiredObjects::bootstrapOf)
        .map(c -> c.state() == InitialClusterState.EXISTING).orElse(false);
    boolean observed = etcd instanceof EtcdView.Reached r && r.observation().clusterId() != 0;
    return recordedInStatus || recordedInConfig || observed;
  }

  /**
   * Member volumes with no record at all of this cluster (no status.clusterID, no bootstrap ConfigMap, which is
   * applied before the StatefulSet that makes the claims): left by an earlier cluster of this name (a backup tool
   * restored the claims without the status and the ConfigMap, a finalizer was removed by hand). Bootstrapping over
   * them would start members with old data next to empty ones as a "new" cluster. A restore makes its claims first
   * on purpose: those are not leftovers.
   */
  static Optional<String> unrecordedData(EtcdCluster cluster, MemberObjects members, Optional<ConfigMap> bootstrap,
      boolean restoring) {
    if (restoring || bootstrap.isPresent() || members.claims().isEmpty()) {
      return Optional.empty();
    }
    String name = cluster.getMetadata().getName();
    return Optional.of("volume claims " + members.claims().values().stream().map(MemberClaim::name).toList()
        + " exist, but nothing records that " + name + " formed (status.clusterID, ConfigMap " + name
        + "-config): no member starts on data of unknown origin. Delete the claims to start an empty cluster, or "
        + "restore the ConfigMap (state existing) if they hold this cluster's data");
  }
}
