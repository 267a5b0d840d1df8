package dev.etcdoperator.cluster;

import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.AVAILABLE;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.BACKUP_READY;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.CERTIFICATES_READY;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.DEGRADED;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.MEMBERS_SPREAD;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.READY;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.VERSION_SUPPORTED;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.support.ConditionSet;
import dev.etcdoperator.support.EventRecorder;
import dev.etcdoperator.support.EventRecorder.Type;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns status transitions into Events, so `kubectl describe` tells the story. Events are emitted on changes
 * only: a spec that stays invalid produces one Warning, not one per reconcile.
 */
record StatusEvents(EventRecorder recorder) {

  void record(EtcdCluster cluster, EtcdClusterStatus previous, EtcdClusterStatus next) {
    List<Condition> before = previous == null ? List.of() : previous.getConditions();
    List<Condition> after = next.getConditions();

    Optional<Condition> degraded = ConditionSet.find(after, DEGRADED).filter(c -> "True".equals(c.getStatus()));
    degraded.filter(c -> changed(before, c, "True")).ifPresent(c ->
        recorder.record(cluster, Type.Warning, c.getReason(), c.getMessage()));

    // A backup schedule the API server refuses to carry out.
    ConditionSet.find(after, BACKUP_READY).filter(c -> Reason.SCHEDULE_FAILED.equals(c.getReason()))
        .filter(c -> changed(before, c, "False"))
        .ifPresent(c -> recorder.record(cluster, Type.Warning, c.getReason(), c.getMessage()));

    // Certificates that stop being usable, or TLS switched off, deserve a Warning once.
    ConditionSet.find(after, CERTIFICATES_READY).filter(c -> "False".equals(c.getStatus()))
        .filter(c -> changed(before, c, "False"))
        .ifPresent(c -> recorder.record(cluster, Type.Warning, c.getReason(), c.getMessage()));

    // One node's loss would take the quorum: said once, when it comes about or changes.
    ConditionSet.find(after, MEMBERS_SPREAD).filter(c -> "False".equals(c.getStatus()))
        .filter(c -> changed(before, c, "False"))
        .ifPresent(c -> recorder.record(cluster, Type.Warning, c.getReason(), c.getMessage()));

    // A release out of support or short of a security fix: said once, when the members come to run it.
    ConditionSet.find(after, VERSION_SUPPORTED).filter(c -> "False".equals(c.getStatus()))
        .filter(c -> changed(before, c, "False"))
        .ifPresent(c -> recorder.record(cluster, Type.Warning, c.getReason(), c.getMessage()));

    if ((previous == null || previous.getClusterID() == null) && next.getClusterID() != null) {
      recorder.record(cluster, Type.Normal, Reason.CLUSTER_FORMED,
          "etcd cluster " + next.getClusterID() + " formed with " + next.getMembers().size() + " members");
    }
    if (ConditionSet.isTrue(after, READY) && !ConditionSet.isTrue(before, READY)) {
      recorder.record(cluster, Type.Normal, Reason.ALL_MEMBERS_HEALTHY, "the cluster is ready");
    }
    if (ConditionSet.isTrue(before, AVAILABLE) && !ConditionSet.isTrue(after, AVAILABLE)) {
      ConditionSet.find(after, AVAILABLE).ifPresent(c ->
          recorder.record(cluster, Type.Warning, c.getReason(), c.getMessage()));
    }
  }

  /** A condition in a bad state is news when it gets there, or its reason or message changes. */
  private static boolean changed(List<Condition> before, Condition now, String badStatus) {
    return ConditionSet.find(before, now.getType())
        .map(old -> !badStatus.equals(old.getStatus()) || !Objects.equals(old.getReason(), now.getReason())
            || !Objects.equals(old.getMessage(), now.getMessage()))
        .orElse(true);
  }
}
