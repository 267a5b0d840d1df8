package dev.etcdoperator.cluster.rollout;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.EventRecorder;
import dev.etcdoperator.support.UpgradePath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Restarts a member by deleting its pod, which the StatefulSet (OnDelete) recreates from the current template. */
public final class MemberRestarts {
  static final String MEMBER_RESTARTED = "MemberRestarted";
  static final String MINOR_UPGRADE_WITHOUT_SNAPSHOT = "MinorUpgradeWithoutSnapshot";
  private static final Logger LOG = LoggerFactory.getLogger(MemberRestarts.class);

  private final KubernetesClient client;
  private final EventRecorder events;
  private final UpgradeSnapshots upgradeSnapshots;

  public MemberRestarts(KubernetesClient client, EventRecorder events) {
    this.client = client;
    this.events = events;
    this.upgradeSnapshots = new UpgradeSnapshots(client, events);
  }

  /**
   * Deletes the pod only if it is still the incarnation the plan was made for, so a retry never restarts twice.
   *
   * @param running the version the members report (status.currentVersion)
   * @param target the version members run after the restart; when the restart starts an upgrade to the next minor
   *     version, which etcd cannot go back from, a snapshot goes to the cluster's backup destination first, or,
   *     without one, a Warning says that there is none
   */
  public ClusterStep restart(EtcdCluster cluster, ClusterStep.RestartMember restart, Optional<EtcdVersion> running,
      Optional<EtcdVersion> target) {
    Optional<Map.Entry<EtcdVersion, EtcdVersion>> minorUpgrade = minorUpgrade(cluster, running, target);
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

  /** The running and target versions, when the next restart is the first of a minor upgrade. */
  private static Optional<Map.Entry<EtcdVersion, EtcdVersion>> minorUpgrade(EtcdCluster cluster,
      Optional<EtcdVersion> running,
      Optional<EtcdVersion> target) {
    return running.flatMap(from -> target.map(to -> Map.entry(from, to)))
        .filter(v -> UpgradePath.isMinorUpgrade(v.getKey(), v.getValue()) && noMemberRuns(cluster, v.getValue()));
  }

  /** No member reports the target's minor version yet: the next restart is the first of a minor upgrade. */
  private static boolean noMemberRuns(EtcdCluster cluster, EtcdVersion target) {
    return Optional.ofNullable(cluster.getStatus()).map(EtcdClusterStatus::getMembers).orElse(List.of()).stream()
        .map(m -> m.getVersion() == null ? Optional.<EtcdVersion>empty() : EtcdVersion.parse(m.getVersion()))
        .flatMap(Optional::stream).noneMatch(v -> v.isMinor(target.major(), target.minor()));
  }
}
