package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.cluster.model.MembershipFacts;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/** How many member pods the StatefulSet runs, and how many members the PodDisruptionBudget keeps a quorum of. */
final class MemberCount {
  private MemberCount() {}

  /**
   * Before the cluster forms, the bootstrap members; afterwards the StatefulSet follows etcd's membership (up to the
   * highest member ordinal), which only the membership workflow changes, one member at a time. While etcd does not
   * answer, the StatefulSet keeps its size, and one that is gone (a storage expansion re-creates it) comes back with
   * the members status last saw, never with spec.replicas, which may be fewer than etcd has. Empty when nothing says.
   */
  static OptionalInt ofStatefulSet(EtcdCluster cluster, Optional<ConfigMap> bootstrapConfig,
      Optional<StatefulSet> statefulSet, Optional<MembershipFacts> membership, boolean formed) {
    if (!formed) {
      return OptionalInt.of(bootstrapConfig.flatMap(DesiredObjects::bootstrapOf)
          .map(DesiredObjects::bootstrapMemberCount).orElse(cluster.getSpec().getReplicas()));
    }
    if (membership.isPresent()) {
      return OptionalInt.of(membership.get().statefulSetReplicasForMembers());
    }
    if (statefulSet.isPresent()) {
      return OptionalInt.of(Objects.requireNonNullElse(statefulSet.get().getSpec().getReplicas(), 0));
    }
    return lastSeen(cluster);
  }

  /**
   * The members a quorum is kept of through node drains: the voters etcd has, and never fewer than spec.replicas, so
   * that a scale-in keeps its budget until the members are really gone (also while it is blocked). Without etcd's
   * answer, the member pods the StatefulSet runs.
   */
  static int guarded(int specReplicas, OptionalInt voters, OptionalInt podMembers) {
    return Math.max(specReplicas, voters.isPresent() ? voters.getAsInt() : podMembers.orElse(0));
  }

  /** One more than the highest member ordinal status names, counting a member being added or replaced. */
  private static OptionalInt lastSeen(EtcdCluster cluster) {
    String prefix = cluster.getMetadata().getName() + "-";
    Optional<EtcdClusterStatus> status = Optional.ofNullable(cluster.getStatus());
    Stream<String> names = Stream.concat(
        status.map(EtcdClusterStatus::getMembers).orElse(List.of()).stream().map(MemberStatus::getName),
        status.map(EtcdClusterStatus::getMembershipChange).map(c -> c.getMember()).stream());
    return names.filter(n -> n != null && n.startsWith(prefix)).map(n -> n.substring(prefix.length()))
        .filter(n -> n.matches("\\d{1,4}")).mapToInt(n -> Integer.parseInt(n) + 1).max();
  }
}
