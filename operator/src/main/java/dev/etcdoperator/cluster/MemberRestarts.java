package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.EventRecorder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Restarts a member by deleting its pod, which the StatefulSet (OnDelete) recreates from the current template. */
final class MemberRestarts {
  static final String MEMBER_RESTARTED = "MemberRestarted";
  static final String MINOR_UPGRADE_WITHOUT_SNAPSHOT = "MinorUpgradeWithoutSnapshot";
  private static final Logger LOG = LoggerFactory.getLogger(MemberRestarts.class);

  private final KubernetesClient client;
  private final EventRecorder events;
  private final UpgradeSnapshots upgradeSnapshots;

  MemberRestarts(KubernetesClient client, EventRecorder events) {
    this.client = client;
    this.events = events;
    this.upgradeSnapshots = new UpgradeSnapshots(client, events);
  }

  /**
   * Deletes the pod only if it is still the incarnation the plan was made for, so a retry never restarts twice.
   *
   * @param minorUpgrade the versions, when this restart starts an upgrade to the next minor version: etcd cannot go
   *     back from it, so a snapshot goes to the cluster's backup destination first, or, without one, a Warning says
   *     that there is none
   */
  ClusterStep restart(EtcdCluster cluster, ClusterStep.RestartMember restart,
      Optional<Map.Entry<EtcdVersion, EtcdVersion>> minorUpgrade) {
    String ns = cluster.getMetadata().getNamespace();
    Pod live = client.pods().inNamespace(ns).withName(restart.member()).get();
    if (live == null || !restart.podUid().equals(live.getMetadata().getUid())) {
      return new ClusterStep.Wait(RolloutPlanner.POLL, restart.reason(), restart.member() + " was already restarted");
    }
    if (minorUpgrade.isPresent() && cluster.getSpec().getBackup() != null) {
      Optional<ClusterStep> snapshot = upgradeSnapshots.awaitSnapshot(cluster, minorUpgrade.get().getKey(),
          minorUpgrade.get().getValue());
      if (snapshot.isPresent()) {
        return snapshot.get();
      }
    } else {
      minorUpgrade.ifPresent(versions -> events.record(cluster, EventRecorder.Type.Warning,
          MINOR_UPGRADE_WITHOUT_SNAPSHOT, "upgrading from " + versions.getKey() + " to " + versions.getValue()
              + ", which etcd cannot undo, without a snapshot first: no backup destination is configured "
              + "(spec.backup)"));
    }
    client.pods().inNamespace(ns).resource(live).delete();
    events.record(cluster, EventRecorder.Type.Normal, MEMBER_RESTARTED, restart.message());
    LOG.info("{}/{}: {}", ns, cluster.getMetadata().getName(), restart.message());
    return restart;
  }
}
