package dev.etcdoperator.cluster.rollout;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.EtcdView;
import dev.etcdoperator.resources.ClusterNames;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.EventRecorder;
import dev.etcdoperator.support.UpgradePath;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts a member by evicting its pod, which the StatefulSet (OnDelete) recreates from the current template. An
 * eviction, unlike a delete, goes through the cluster's PodDisruptionBudget, so a restart and a node drain take
 * turns: whichever comes second is refused while the other's pod is down.
 */
public final class MemberRestarts {
  static final String MEMBER_RESTARTED = "MemberRestarted";
  static final String MINOR_UPGRADE_WITHOUT_SNAPSHOT = "MinorUpgradeWithoutSnapshot";
  private static final String ANOTHER_DISRUPTION = "another member's pod is down or being evicted, e.g. by a node "
      + "drain";
  private static final Logger LOG = LoggerFactory.getLogger(MemberRestarts.class);

  private final KubernetesClient client;
  private final EventRecorder events;
  private final UpgradeSnapshots upgradeSnapshots;
  private final MinorDowngrades minorDowngrades;

  public MemberRestarts(KubernetesClient client, EventRecorder events, Clock clock) {
    this.client = client;
    this.events = events;
    this.upgradeSnapshots = new UpgradeSnapshots(client, events, clock);
    this.minorDowngrades = new MinorDowngrades(events);
  }

  /**
   * Evicts the pod only if it is still the incarnation the plan was made for, so a retry never restarts twice.
   *
   * @param running the version the members report (status.currentVersion)
   * @param target the version members run after the restart; when the restart starts a move to another minor
   *     version, a snapshot goes to the cluster's backup destination first, or, without one, a Warning says that
   *     there is none; a minor downgrade then waits for etcd's downgrade to be enabled and the data migrated
   * @param etcd what the reconcile saw of etcd: a downgrade is enabled through it
   */
  public ClusterStep restart(EtcdCluster cluster, ClusterStep.RestartMember restart, Optional<EtcdVersion> running,
      Optional<EtcdVersion> target, EtcdView etcd) {
    Optional<Map.Entry<EtcdVersion, EtcdVersion>> minorChange = minorChange(cluster, running, target);
    String ns = cluster.getMetadata().getNamespace();
    Pod live = client.pods().inNamespace(ns).withName(restart.member()).get();
    if (live == null || !restart.podUid().equals(live.getMetadata().getUid())) {
      return alreadyRestarted(restart);
    }
    if (minorChange.isPresent() && cluster.getSpec().getBackup() != null) {
      Optional<ClusterStep> snapshot = upgradeSnapshots.awaitSnapshot(cluster, minorChange.get().getKey(),
          minorChange.get().getValue());
      if (snapshot.isPresent()) {
        return snapshot.get();
      }
    } else {
      minorChange.ifPresent(versions -> events.record(cluster, EventRecorder.Type.Warning,
          MINOR_UPGRADE_WITHOUT_SNAPSHOT, UpgradeSnapshots.irreversibleChange(versions.getKey(),
              versions.getValue()) + ", without a snapshot first: no backup destination is configured "
              + "(spec.backup)"));
    }
    Optional<ClusterStep> downgrade = minorChange.filter(v -> UpgradePath.isMinorDowngrade(v.getKey(), v.getValue()))
        .flatMap(v -> minorDowngrades.gate(cluster, v.getKey(), v.getValue(), etcd));
    if (downgrade.isPresent()) {
      return downgrade.get();
    }
    String budgetName = new ClusterNames(cluster.getMetadata().getName(), ns).podDisruptionBudget();
    if (isReady(live)) {
      // The disruption controller's word first: an eviction the budget refuses is retried by the client with
      // backoff (some 20 s) before it answers, and a reconcile thread should not wait that long.
      Optional<PodDisruptionBudgetStatus> budget = Optional.ofNullable(client.policy().v1().podDisruptionBudget()
          .inNamespace(ns).withName(budgetName).get()).filter(MemberRestarts::statusIsCurrent)
          .map(PodDisruptionBudget::getStatus).filter(s -> s.getDisruptionsAllowed() != null
              && s.getDisruptionsAllowed() <= 0);
      if (budget.isPresent()) {
        return new ClusterStep.Wait(RolloutPlanner.POLL, restart.reason(), "restarting " + restart.member()
            + " waits: the PodDisruptionBudget " + budgetName + " allows no disruption now ("
            + budget.get().getCurrentHealthy() + " of " + budget.get().getExpectedPods() + " member pods healthy, "
            + budget.get().getDesiredHealthy() + " needed; " + ANOTHER_DISRUPTION + ")");
      }
      if (!evict(ns, restart)) {
        return new ClusterStep.Wait(RolloutPlanner.POLL, restart.reason(), "restarting " + restart.member()
            + " waits: the PodDisruptionBudget " + budgetName + " refuses to evict " + restart.member() + " now ("
            + ANOTHER_DISRUPTION + ")");
      }
    }
    if (!isReady(live)) {
      // Not Ready, it counts for nothing in the budget (scaling out from one member, a learner that never started):
      // deleting it takes no availability away, where the budget might refuse its eviction.
      client.pods().inNamespace(ns).resource(live).delete();
    }
    events.record(cluster, EventRecorder.Type.Normal, MEMBER_RESTARTED, restart.message());
    LOG.info("{}/{}: {}", ns, cluster.getMetadata().getName(), restart.message());
    return restart;
  }

  /** False when the budget refuses; a pod deleted or re-created since it was read counts as restarted. */
  private boolean evict(String ns, ClusterStep.RestartMember restart) {
    Eviction ofThisIncarnation = new EvictionBuilder().withNewMetadata().withName(restart.member()).withNamespace(ns)
        .endMetadata().withDeleteOptions(new DeleteOptionsBuilder().withNewPreconditions().withUid(restart.podUid())
            .endPreconditions().build()).build();
    try {
      return client.pods().inNamespace(ns).withName(restart.member()).evict(ofThisIncarnation);
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND || e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return true;
      }
      throw e;
    }
  }

  private static boolean statusIsCurrent(PodDisruptionBudget budget) {
    return budget.getStatus() != null && budget.getStatus().getObservedGeneration() != null
        && budget.getStatus().getObservedGeneration() >= Optional.ofNullable(budget.getMetadata().getGeneration())
            .orElse(0L);
  }

  private static boolean isReady(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
        .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static ClusterStep alreadyRestarted(ClusterStep.RestartMember restart) {
    return new ClusterStep.Wait(RolloutPlanner.POLL, restart.reason(), restart.member() + " was already restarted");
  }

  /** The running and target versions, when the next restart is the first of a move to another minor. */
  private static Optional<Map.Entry<EtcdVersion, EtcdVersion>> minorChange(EtcdCluster cluster,
      Optional<EtcdVersion> running, Optional<EtcdVersion> target) {
    return running.flatMap(from -> target.map(to -> Map.entry(from, to)))
        .filter(v -> (UpgradePath.isMinorUpgrade(v.getKey(), v.getValue())
            || UpgradePath.isMinorDowngrade(v.getKey(), v.getValue())) && noMemberRuns(cluster, v.getValue()));
  }

  /** No member reports the target's minor version yet: the next restart is the first of a minor change. */
  private static boolean noMemberRuns(EtcdCluster cluster, EtcdVersion target) {
    return Optional.ofNullable(cluster.getStatus()).map(EtcdClusterStatus::getMembers).orElse(List.of()).stream()
        .map(m -> m.getVersion() == null ? Optional.<EtcdVersion>empty() : EtcdVersion.parse(m.getVersion()))
        .flatMap(Optional::stream).noneMatch(v -> v.isMinor(target.major(), target.minor()));
  }
}
