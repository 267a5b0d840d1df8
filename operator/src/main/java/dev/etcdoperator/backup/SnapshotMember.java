package dev.etcdoperator.backup;

import dev.etcdoperator.api.v1alpha1.MemberStatus;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The member a snapshot is taken from: a healthy voting member, a follower when there is one, so that the leader
 * keeps its bandwidth for replication. Learners are never used: they may lag.
 */
final class SnapshotMember {
  private SnapshotMember() {}

  static Optional<String> choose(List<MemberStatus> members) {
    return members.stream()
        .filter(m -> Boolean.TRUE.equals(m.getHealthy()) && !Boolean.TRUE.equals(m.getLearner()))
        .min(Comparator.comparing((MemberStatus m) -> Boolean.TRUE.equals(m.getLeader()))
            .thenComparing(MemberStatus::getName))
        .map(MemberStatus::getName);
  }
}
