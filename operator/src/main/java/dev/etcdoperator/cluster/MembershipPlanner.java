package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.etcd.EtcdMember;
import java.net.URI;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The next membership step of a formed cluster whose members answered, by GUIDE §5: one change at a time, new
 * members as learners promoted once caught up, the highest ordinal removed first and never the leader, and no
 * change that would leave fewer healthy voters than a quorum. Pure: no client, no clock.
 */
final class MembershipPlanner {
  static final Duration LEARNER_POLL = Duration.ofSeconds(2);
  static final Duration BLOCKED_POLL = Duration.ofSeconds(10);

  private MembershipPlanner() {}

  /**
   * @param desired spec.replicas
   * @param retainClaims whether claims of removed members are kept (spec.storage.retainOnScaleDown)
   * @param scheme of the peer URLs ({@code https} unless TLS is disabled)
   * @return empty when the membership is as desired and nothing is left behind
   */
  static Optional<ClusterStep> plan(MembershipFacts facts, int desired, boolean retainClaims, String scheme) {
    List<EtcdMember> voters = facts.voters();
    List<EtcdMember> learners = facts.learners();
    if (!learners.isEmpty()) {
      return Optional.of(finishLearner(facts, learners.get(0)));
    }
    if (voters.size() < desired) {
      return Optional.of(scaleOut(facts, voters, retainClaims, scheme));
    }
    if (voters.size() > desired) {
      return Optional.of(scaleIn(facts, voters));
    }
    return leftoverClaims(facts, retainClaims);
  }

  private static ClusterStep finishLearner(MembershipFacts facts, EtcdMember learner) {
    String name = facts.nameOf(learner);
    if (!learner.started() || !facts.isHealthy(learner)) {
      return new ClusterStep.Wait(LEARNER_POLL, Reason.SCALING_OUT, "waiting for learner " + name
          + " to start and catch up");
    }
    return new ClusterStep.ChangeMembership(new MembershipAction.Promote(name, learner.id()), Reason.SCALING_OUT,
        "promoting learner " + name + " to a voting member");
  }

  private static ClusterStep scaleOut(MembershipFacts facts, List<EtcdMember> voters, boolean retainClaims,
      String scheme) {
    List<String> unhealthy = voters.stream().filter(m -> !facts.isHealthy(m)).map(facts::nameOf).toList();
    if (!unhealthy.isEmpty()) {
      return new ClusterStep.Halt(Reason.MEMBERSHIP_CHANGE_BLOCKED, "adding a member waits until every member is "
          + "healthy; not healthy: " + String.join(", ", unhealthy));
    }
    int ordinal = nextFreeOrdinal(facts);
    String name = facts.names().podName(ordinal);
    if (facts.podOrdinals().contains(ordinal)) {
      // The pod of a removed member still runs: the StatefulSet is scaled down first.
      return new ClusterStep.Wait(LEARNER_POLL, Reason.SCALING_OUT, "waiting for the old pod " + name
          + " to go before " + name + " joins again");
    }
    String claim = facts.claims().get(ordinal);
    if (claim != null) {
      if (retainClaims) {
        return new ClusterStep.Halt(Reason.MEMBERSHIP_CHANGE_BLOCKED, "volume claim " + claim + " holds the data of "
            + "a removed member, kept because storage.retainOnScaleDown is set; its data is never reused: delete "
            + "the claim to let " + name + " join");
      }
      return new ClusterStep.ChangeMembership(new MembershipAction.DeleteClaims(name, List.of(claim)),
          Reason.SCALING_OUT, "deleting volume claim " + claim + ", left by a removed member, before " + name
              + " joins");
    }
    URI peerUrl = URI.create(facts.names().peerUrl(ordinal, scheme));
    return new ClusterStep.ChangeMembership(new MembershipAction.AddLearner(name, peerUrl), Reason.SCALING_OUT,
        "adding " + name + " as a learner (" + votingMembers(voters.size()) + ")");
  }

  private static String votingMembers(int count) {
    return count + (count == 1 ? " voting member" : " voting members");
  }

  /** The lowest ordinal no member has: the next one after the others, or a gap left by a removed member. */
  private static int nextFreeOrdinal(MembershipFacts facts) {
    List<Integer> taken = facts.members().stream().map(facts::ordinalOf).filter(OptionalInt::isPresent)
        .map(OptionalInt::getAsInt).toList();
    int ordinal = 0;
    while (taken.contains(ordinal)) {
      ordinal++;
    }
    return ordinal;
  }

  private static ClusterStep scaleIn(MembershipFacts facts, List<EtcdMember> voters) {
    EtcdMember victim = voters.stream()
        .max(Comparator.comparingInt((EtcdMember m) -> facts.ordinalOf(m).orElse(Integer.MAX_VALUE))).orElseThrow();
    String name = facts.nameOf(victim);
    List<EtcdMember> remaining = voters.stream().filter(m -> m.id() != victim.id()).toList();
    List<EtcdMember> healthyRemaining = remaining.stream().filter(facts::isHealthy).toList();
    int quorum = remaining.size() / 2 + 1;
    if (healthyRemaining.size() < quorum) {
      return new ClusterStep.Halt(Reason.MEMBERSHIP_CHANGE_BLOCKED, "removing " + name + " would leave "
          + healthyRemaining.size() + " healthy of " + remaining.size() + " voting members, fewer than a quorum of "
          + quorum);
    }
    if (facts.leaderId().isEmpty()) {
      return new ClusterStep.Wait(LEARNER_POLL, Reason.SCALING_IN, "waiting for a leader before removing " + name);
    }
    if (facts.leaderId().get() == victim.id()) {
      URI endpoint = facts.endpoints().get(victim.id());
      EtcdMember transferee = healthyRemaining.stream()
          .min(Comparator.comparingInt((EtcdMember m) -> facts.ordinalOf(m).orElse(Integer.MAX_VALUE)))
          .orElseThrow();
      if (endpoint == null) {
        return new ClusterStep.Wait(LEARNER_POLL, Reason.SCALING_IN, "waiting to reach leader " + name
            + " to hand leadership over before removing it");
      }
      return new ClusterStep.ChangeMembership(new MembershipAction.MoveLeader(name, endpoint, transferee.id(),
          facts.nameOf(transferee)), Reason.SCALING_IN, "moving leadership from " + name + " to "
              + facts.nameOf(transferee) + " before removing " + name);
    }
    return new ClusterStep.ChangeMembership(new MembershipAction.Remove(name, victim.id()), Reason.SCALING_IN,
        "removing " + name + " (" + votingMembers(voters.size()) + ")");
  }

  /**
   * Claims of ordinals the StatefulSet no longer runs and no member has: left by scale-in where Kubernetes does
   * not delete them itself (its PVC retention policy needs 1.27+).
   */
  private static Optional<ClusterStep> leftoverClaims(MembershipFacts facts, boolean retainClaims) {
    if (retainClaims || facts.statefulSetReplicas() != facts.statefulSetReplicasForMembers()) {
      return Optional.empty();
    }
    List<String> leftovers = facts.claims().entrySet().stream()
        .filter(e -> e.getKey() >= facts.statefulSetReplicas() && !facts.podOrdinals().contains(e.getKey()))
        .map(Map.Entry::getValue).toList();
    if (leftovers.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ClusterStep.ChangeMembership(new MembershipAction.DeleteClaims(
        facts.names().podName(facts.claims().lastKey()), leftovers), Reason.SCALING_IN,
        "deleting volume claims of removed members: " + String.join(", ", leftovers)));
  }
}
