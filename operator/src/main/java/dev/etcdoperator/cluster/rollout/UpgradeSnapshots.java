package dev.etcdoperator.cluster.rollout;

import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions;
import dev.etcdoperator.api.v1alpha1.EtcdBackupSpec;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.resources.ClusterBackupBuilder;
import dev.etcdoperator.support.ConditionSet;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The snapshot before a minor upgrade (GUIDE §5.7): etcd cannot go back to the earlier minor, so before the first
 * member restarts on the new one, a snapshot goes to the cluster's backup destination, kept (deletionPolicy Retain)
 * and outside retention. The rollout waits for it; if it fails, the rollout stops and says how to go on.
 */
final class UpgradeSnapshots {
  static final String COMPONENT = "upgrade-snapshot";
  static final String UPGRADE_SNAPSHOT_TAKEN = "UpgradeSnapshotTaken";
  static final Duration POLL = Duration.ofSeconds(5);

  private final KubernetesClient client;
  private final EventRecorder events;

  UpgradeSnapshots(KubernetesClient client, EventRecorder events) {
    this.client = client;
    this.events = events;
  }

  /** The EtcdBackup taken before upgrading {@code cluster} to {@code to}. */
  static String name(EtcdCluster cluster, EtcdVersion to) {
    return cluster.getMetadata().getName() + "-before-v" + to;
  }

  /**
   * @return empty once the snapshot is complete (the restart may go ahead); else the step that waits for it or
   *     stops the rollout because it failed
   */
  Optional<ClusterStep> awaitSnapshot(EtcdCluster cluster, EtcdVersion from, EtcdVersion to) {
    String name = name(cluster, to);
    String ns = cluster.getMetadata().getNamespace();
    EtcdBackup backup = client.resources(EtcdBackup.class).inNamespace(ns).withName(name).get();
    if (backup == null) {
      client.resource(ClusterBackupBuilder.build(cluster, name, COMPONENT, EtcdBackupSpec.DeletionPolicy.Retain,
          Map.of())).create();
      return Optional.of(new ClusterStep.Wait(POLL, Reason.ROLLING_OUT, "taking a snapshot (EtcdBackup " + name
          + ") before upgrading from " + from + " to " + to + ", which etcd cannot undo"));
    }
    var conditions = Optional.ofNullable(backup.getStatus()).map(s -> s.getConditions()).orElse(List.of());
    String formed = cluster.getStatus() == null ? null : cluster.getStatus().getClusterID();
    if (ConditionSet.isTrue(conditions, EtcdBackupConditions.COMPLETE) && formed != null
        && !formed.equals(backup.getStatus().getClusterID())) {
      // Left by an earlier cluster of the same name: restoring it would bring back someone else's data.
      return Optional.of(new ClusterStep.Halt(Reason.UPGRADE_SNAPSHOT_FAILED, "EtcdBackup " + name + " holds a "
          + "snapshot of etcd cluster " + backup.getStatus().getClusterID() + ", not of this one (" + formed
          + "): an earlier cluster of the same name left it. Delete it (its snapshot stays in the bucket) to take "
          + "the snapshot before upgrading from " + from + " to " + to));
    }
    if (ConditionSet.isTrue(conditions, EtcdBackupConditions.COMPLETE)) {
      events.record(cluster, EventRecorder.Type.Normal, UPGRADE_SNAPSHOT_TAKEN, "snapshot before upgrading from "
          + from + " to " + to + " is at " + backup.getStatus().getLocation());
      return Optional.empty();
    }
    if (ConditionSet.isTrue(conditions, EtcdBackupConditions.FAILED)) {
      String why = ConditionSet.find(conditions, EtcdBackupConditions.FAILED).map(c -> c.getMessage()).orElse("");
      return Optional.of(new ClusterStep.Halt(Reason.UPGRADE_SNAPSHOT_FAILED, "the snapshot before upgrading from "
          + from + " to " + to + " failed: " + why + ". Fix the cause and delete EtcdBackup " + name
          + " to take it again, or remove spec.backup to upgrade without a snapshot"));
    }
    return Optional.of(new ClusterStep.Wait(POLL, Reason.ROLLING_OUT, "waiting for the snapshot (EtcdBackup "
        + name + ") before upgrading from " + from + " to " + to));
  }
}
