package dev.etcdoperator.metrics;

import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who leads, as status says: the leading member's ID, else the leader's name. The ID tells a member replaced under
 * the same name apart from the one before it, so a new incarnation taking over counts as a leader change.
 */
final class LeaderIdentity {
  private LeaderIdentity() {}

  static Optional<String> of(EtcdClusterStatus status) {
    List<MemberStatus> members = Objects.requireNonNullElse(status.getMembers(), List.of());
    Optional<String> byFlag = members.stream().filter(m -> Boolean.TRUE.equals(m.getLeader()))
        .map(m -> m.getId() != null ? m.getId() : m.getName()).filter(Objects::nonNull).findFirst();
    return byFlag.or(() -> Optional.ofNullable(status.getLeader()));
  }
}
