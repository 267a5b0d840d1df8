package dev.etcdoperator.cluster.membership;

import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.PROGRESSING;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.READY;

import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MembershipChange;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.support.ConditionSet;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The status written to record a membership change before it is made. It starts from the status the reconcile read,
 * which was computed before this change was planned: a cluster that was Ready before its spec asked for more members
 * still reads Ready then. Written back as read, it would show the cluster Ready in the middle of a scale-out, for as
 * long as the change takes to make; so Ready and Progressing say what is under way, and everything else is kept.
 */
final class IntentStatus {
  private IntentStatus() {}

  /** @param read the status the reconcile read (its own copy, changed here), or null for none */
  static EtcdClusterStatus of(EtcdClusterStatus read, MembershipChange intent, ClusterStep.ChangeMembership change,
      long generation, Clock clock) {
    EtcdClusterStatus status = Optional.ofNullable(read).orElseGet(EtcdClusterStatus::new);
    status.setMembershipChange(intent);
    List<Condition> previous = Optional.ofNullable(status.getConditions()).orElse(List.of());
    List<Condition> conditions = new ArrayList<>(previous.stream()
        .filter(c -> !c.getType().equals(READY) && !c.getType().equals(PROGRESSING)).toList());
    conditions.addAll(new ConditionSet(previous, generation, clock)
        .set(READY, false, change.reason(), "a membership change is under way: " + change.message())
        .set(PROGRESSING, true, change.reason(), change.message()).build());
    status.setConditions(conditions);
    return status;
  }
}
