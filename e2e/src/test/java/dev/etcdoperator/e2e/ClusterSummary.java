package dev.etcdoperator.e2e;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MembershipChange;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One line per part of an EtcdCluster's status, for the message of a wait that timed out: when a scenario fails on a
 * machine whose logs we never see (CI), the message alone says where the operator stood.
 */
final class ClusterSummary {
  private ClusterSummary() {}

  static String of(EtcdCluster etcd) {
    if (etcd == null) {
      return "the EtcdCluster does not exist";
    }
    EtcdClusterStatus status = etcd.getStatus();
    if (status == null) {
      return "the EtcdCluster has no status yet";
    }
    String conditions = Optional.ofNullable(status.getConditions()).orElse(List.of()).stream()
        .map(c -> c.getType() + "=" + c.getStatus() + " (" + c.getReason() + ": " + c.getMessage() + ")")
        .collect(Collectors.joining("\n  "));
    String members = Optional.ofNullable(status.getMembers()).orElse(List.of()).stream()
        .map(m -> m.getName() + " id=" + m.getId() + " learner=" + m.getLearner() + " healthy=" + m.getHealthy()
            + " leader=" + m.getLeader() + (m.getMessage() == null ? "" : " (" + m.getMessage() + ")"))
        .collect(Collectors.joining("\n  "));
    MembershipChange change = status.getMembershipChange();
    return "status of " + etcd.getMetadata().getName() + ":\n conditions:\n  " + conditions + "\n members:\n  "
        + members + "\n membershipChange: " + (change == null ? "none" : change.getOperation() + " "
            + change.getMember() + " since " + change.getStartTime());
  }
}
