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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
  static final String UPGRADE_SNAPSHOT_STALE = "UpgradeSnapshotStale";
  static final Duration POLL = Duration.ofSeconds(5);
  /** A snapshot completed longer ago than this is not what the first restart starts from: it is taken again. */
  static final Duration FRESH_FOR = Duration.ofHours(1);

  private final KubernetesClient client;
  private final EventRecorder events;
  private final Clock clock;

  UpgradeSnapshots(KubernetesClient client, EventRecorder events, Clock clock) {
    this.client = client;
    this.events = events;
    this.clock = clock;
  }

  /** "upgrading from 3.5.30 to 3.6.16", or "downgrading from ..." */
  static String change(EtcdVersion from, EtcdVersion to) {
    return (to.compareTo(from) < 0 ? "downgrading" : "upgrading") + " from " + from + " to " + to;
  }

  /** The change, and for an upgrade that etcd cannot go back from it. */
  static String irreversibleChange(EtcdVersion from, EtcdVersion to) {
    return change(from, to) + (to.compareTo(from) > 0 ? ", which etcd cannot undo" : "");
  }

  /** The EtcdBackup taken before moving {@code cluster} to {@code to}. */
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
          + ") before " + irreversibleChange(from, to)));
    }
    var conditions = Optional.ofNullable(backup.getStatus()).map(s -> s.getConditions()).orElse(List.of());
    String formed = cluster.getStatus() == null ? null : cluster.getStatus().getClusterID();
    if (ConditionSet.isTrue(conditions, EtcdBackupConditions.COMPLETE) && formed != null
        && !formed.equals(backup.getStatus().getClusterID())) {
      // Left by an earlier cluster of the same name: restoring it would bring back someone else's data.
      return Optional.of(new ClusterStep.Halt(Reason.UPGRADE_SNAPSHOT_FAILED, "EtcdBackup " + name + " holds a "
          + "snapshot of etcd cluster " + backup.getStatus().getClusterID() + ", not of this one (" + formed
          + "): an earlier cluster of the same name left it. Delete it (its snapshot stays in the bucket) to take "
          + "the snapshot before " + change(from, to)));
    }
    if (backup.getMetadata().getDeletionTimestamp() != null) {
      return Optional.of(new ClusterStep.Wait(POLL, Reason.ROLLING_OUT, "waiting for the stale EtcdBackup " + name
          + " to go before taking a fresh snapshot before " + change(from, to)));
    }
    Optional<Instant> completed = Optional.ofNullable(backup.getStatus()).map(s -> s.getCompletionTime())
        .map(Instant::parse);
    if (ConditionSet.isTrue(conditions, EtcdBackupConditions.COMPLETE) && completed.isPresent()
        && completed.get().isBefore(clock.instant().minus(FRESH_FOR))) {
      // An upgrade given up after its snapshot and tried again later, or a first restart that waited long for
      // healthy members: the data of then is not the data the upgrade starts from. The object goes (its snapshot
      // stays in the bucket: deletionPolicy Retain), and a fresh one is taken under the same name.
      client.resource(backup).delete();
      events.record(cluster, EventRecorder.Type.Warning, UPGRADE_SNAPSHOT_STALE, "EtcdBackup " + name + " completed "
          + "at " + completed.get() + ", more than " + FRESH_FOR.toMinutes() + " minutes ago: taking a fresh one "
          + "before " + change(from, to) + "; the old snapshot stays at "
          + backup.getStatus().getLocation());
      return Optional.of(new ClusterStep.Wait(POLL, Reason.ROLLING_OUT, "replacing the stale snapshot (EtcdBackup "
          + name + ") before " + change(from, to)));
    }
    if (ConditionSet.isTrue(conditions, EtcdBackupConditions.COMPLETE)) {
      events.record(cluster, EventRecorder.Type.Normal, UPGRADE_SNAPSHOT_TAKEN, "snapshot before "
          + change(from, to) + " is at " + backup.getStatus().getLocation());
      return Optional.empty();
    }
    if (ConditionSet.isTrue(conditions, EtcdBackupConditions.FAILED)) {
      String why = ConditionSet.find(conditions, EtcdBackupConditions.FAILED).map(c -> c.getMessage()).orElse("");
      return Optional.of(new ClusterStep.Halt(Reason.UPGRADE_SNAPSHOT_FAILED, "the snapshot before "
          + change(from, to) + " failed: " + why + ". Fix the cause and delete EtcdBackup " + name
          + " to take it again, or remove spec.backup to upgrade without a snapshot"));
    }
    return Optional.of(new ClusterStep.Wait(POLL, Reason.ROLLING_OUT, "waiting for the snapshot (EtcdBackup "
        + name + ") before " + change(from, to)));
  }
}
