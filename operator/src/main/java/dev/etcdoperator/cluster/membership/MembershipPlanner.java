package dev.etcdoperator.cluster.membership;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.MembershipChange;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.MembershipAction;
import dev.etcdoperator.cluster.model.MembershipFacts;
import dev.etcdoperator.etcd.EtcdMember;
import java.net.URI;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The next membership step of a formed cluster whose members answered, by GUIDE §5: one change at a time, new
 * members as learners promoted once caught up, the highest ordinal removed first and never the leader, and no
 * change that would leave fewer healthy voters than a quorum. Pure: no client, no clock.
 */
public final class MembershipPlanner {
  static final Duration LEARNER_POLL = Duration.ofSeconds(1);
  /**
   * How soon a change etcd refused for the moment is asked again: a member add before its leader has been in touch
   * with every voter for five seconds, a promotion before the learner has caught up. etcd says nothing when it would
   * take it, and each second of waiting beyond that is a second more per member of a scale-out.
   */
  static final Duration SETTLE_POLL = Duration.ofMillis(250);
  public static final Duration BLOCKED_POLL = Duration.ofSeconds(10);

  private MembershipPlanner() {}

  /**
   * @param desired spec.replicas
   * @param retainClaims whether claims of removed members are kept (spec.storage.retainOnScaleDown)
   * @param scheme of the peer URLs ({@code https} unless TLS is disabled)
   * @return empty when the membership is as desired and nothing is left behind
   */
  public static Optional<ClusterStep> plan(MembershipFacts facts, int desired, boolean retainClaims, String scheme) {
    List<EtcdMember> voters = facts.voters();
    List<EtcdMember> learners = facts.learners();
    if (!learners.isEmpty()) {
      return Optional.of(finishLearner(facts, learners.get(0), desired));
    }
    Optional<MembershipChange> pending = facts.replacement().filter(c -> facts.members().stream()
        .noneMatch(m -> c.getMember().equals(facts.nameOf(m))));
    if (pending.isPresent()) {
      // One change at a time: the member being replaced joins again before anything else, also a scale in that
      // came meanwhile. No health gate: a learner does not count towards quorum, and the others may be waiting to be
      // repaired.
      int ordinal = facts.ordinalOf(pending.get().getMember()).orElseThrow();
      return Optional.of(rejoin(facts, ordinal, pending.get().getMember(), pending.get(), scheme));
    }
    Optional<ClusterStep> repair = replaceBroken(facts, voters);
    if (repair.isPresent()) {
      return repair;
    }
    if (voters.size() < desired) {
      return Optional.of(scaleOut(facts, voters, retainClaims, scheme));
    }
    if (voters.size() > desired) {
      return Optional.of(scaleIn(facts, voters));
    }
    return scaleInLeftovers(facts, retainClaims);
  }

  /**
   * A learner that is healthy is promoted; one that has not started is removed again once it is no longer wanted
   * (spec.replicas went back down), and one whose pod keeps failing stops the membership with a message, so that a
   * learner that cannot start never blocks everything silently.
   */
  private static ClusterStep finishLearner(MembershipFacts facts, EtcdMember learner, int desired) {
    String name = facts.nameOf(learner);
    String reason = joiningReason(facts, name);
    if (learner.started() && facts.isHealthy(learner)) {
      return new ClusterStep.ChangeMembership(new MembershipAction.Promote(name, learner.id()), reason,
          "promoting learner " + name + " to a voting member");
    }
    if (facts.voters().size() >= desired && facts.replacement().filter(c -> name.equals(c.getMember())).isEmpty()) {
      // Not a voter: removing it costs no quorum.
      return new ClusterStep.ChangeMembership(new MembershipAction.Remove(name, learner.id()), Reason.SCALING_IN,
          "removing learner " + name + ", which has not started and is no longer wanted");
    }
    if (facts.keepsFailing(learner)) {
      return new ClusterStep.Halt(Reason.MEMBERSHIP_CHANGE_BLOCKED, "learner " + name + " cannot start: its pod "
          + "has not been ready for " + describe(facts.failingAfter()) + " and keeps restarting. "
          + "Fix what it fails on (see its pod's log); a changed pod template restarts it");
    }
    return new ClusterStep.Wait(LEARNER_POLL, reason, "waiting for learner " + name + " to start and catch up");
  }

  /** A member joins either to scale out or to come back after being replaced. */
  private static String joiningReason(MembershipFacts facts, String member) {
    return facts.replacement().filter(c -> member.equals(c.getMember())).isPresent() ? Reason.REPLACING_MEMBER
        : Reason.SCALING_OUT;
  }

  /**
   * Repair before any other change (GUIDE §5.6): a voter whose data is gone (its claim was made anew) or whose pod
   * keeps failing is removed, to be recreated empty and join again, as long as the others keep a quorum.
   */
  private static Optional<ClusterStep> replaceBroken(MembershipFacts facts, List<EtcdMember> voters) {
    for (EtcdMember member : voters) {
      // Lost data comes first, healthy or not: etcd lets an empty member rejoin under its old ID, and it would count
      // towards a quorum without the entries it once acknowledged.
      Optional<String> loss = facts.dataLoss(member);
      String why = loss.isPresent() ? "its data is gone (" + loss.get() + ")"
          : !facts.isHealthy(member) && facts.keepsFailing(member) ? "its pod has not been ready for "
              + describe(facts.failingAfter()) + " and keeps restarting" : null;
      if (why == null) {
        continue;
      }
      String name = facts.nameOf(member);
      List<EtcdMember> remaining = voters.stream().filter(m -> m.id() != member.id()).toList();
      long healthyRemaining = remaining.stream().filter(facts::isHealthy).count();
      int quorum = remaining.size() / 2 + 1;
      if (healthyRemaining < quorum) {
        return Optional.of(new ClusterStep.Halt(Reason.MEMBERSHIP_CHANGE_BLOCKED, name + " must be replaced: " + why
            + "; but removing it would leave " + healthyRemaining + " healthy of " + remaining.size()
            + " voting members, fewer than a quorum of " + quorum));
      }
      int ordinal = facts.ordinalOf(member).orElse(-1);
      Optional<String> claim = Optional.ofNullable(facts.claims().get(ordinal)).map(MembershipFacts.MemberClaim::uid);
      Optional<String> pod = Optional.ofNullable(facts.pods().get(ordinal));
      return Optional.of(new ClusterStep.ChangeMembership(new MembershipAction.Replace(name, member.id(), why, claim,
          pod), Reason.REPLACING_MEMBER, "removing " + name + " to replace it: " + why));
    }
    return Optional.empty();
  }

  private static ClusterStep scaleOut(MembershipFacts facts, List<EtcdMember> voters, boolean retainClaims,
      String scheme) {
    int ordinal = nextFreeOrdinal(facts);
    String name = facts.names().podName(ordinal);
    List<String> unhealthy = voters.stream().filter(m -> !facts.isHealthy(m)).map(facts::nameOf).toList();
    if (!unhealthy.isEmpty()) {
      // Usually a member just promoted or restarted: a matter of seconds. One that stays unhealthy is repaired
      // (replaced) first, or reported by the Degraded condition.
      return new ClusterStep.Wait(LEARNER_POLL, Reason.SCALING_OUT, "adding " + name + " waits until every member "
          + "is healthy; not healthy: " + String.join(", ", unhealthy));
    }
    String claim = Optional.ofNullable(facts.claims().get(ordinal)).map(MembershipFacts.MemberClaim::name)
        .orElse(null);
    boolean gap = ordinal < facts.statefulSetReplicasForMembers();
    boolean pod = facts.pods().containsKey(ordinal);
    if (claim != null && retainClaims) {
      return new ClusterStep.Halt(Reason.MEMBERSHIP_CHANGE_BLOCKED, "volume claim " + claim + " holds the data of "
          + "a removed member, kept because storage.retainOnScaleDown is set; its data is never reused: delete "
          + "the claim to let " + name + " join");
    }
    if (gap && (pod || claim != null)) {
      // The StatefulSet keeps running this ordinal, with a pod and data of a member etcd no longer has.
      String remains = pod && claim != null ? "its pod and volume claim remain" : pod ? "its pod remains"
          : "its volume claim remains";
      return new ClusterStep.ChangeMembership(new MembershipAction.ClearOrdinal(name,
          Optional.ofNullable(facts.claims().get(ordinal)).map(MembershipFacts.MemberClaim::uid),
          Optional.ofNullable(facts.pods().get(ordinal))), Reason.REPLACING_MEMBER, name + " is no member of etcd, "
              + "but " + remains + " (a member removed outside the operator): recreating them empty before it joins");
    }
    if (facts.pods().containsKey(ordinal)) {
      // The pod of a removed member still runs: the StatefulSet is scaled down first.
      return new ClusterStep.Wait(LEARNER_POLL, Reason.SCALING_OUT, "waiting for the old pod " + name
          + " to go before " + name + " joins again");
    }
    if (claim != null) {
      return new ClusterStep.ChangeMembership(new MembershipAction.DeleteClaims(name, List.of(claim)),
          Reason.SCALING_OUT, "deleting volume claim " + claim + ", left by a removed member, before " + name
              + " joins");
    }
    URI peerUrl = URI.create(facts.names().peerUrl(ordinal, scheme));
    return new ClusterStep.ChangeMembership(new MembershipAction.AddLearner(name, peerUrl), Reason.SCALING_OUT,
        "adding " + name + " as a learner (" + votingMembers(voters.size()) + ")");
  }

  private static String describe(Duration duration) {
    return duration.toSeconds() % 60 == 0 ? duration.toMinutes() + " minutes" : duration.toSeconds() + " seconds";
  }

  private static String votingMembers(int count) {
    return count + (count == 1 ? " voting member" : " voting members");
  }

  /**
   * A replaced member comes back: its old claim and pod (those recorded when it was removed) are deleted first, so
   * that it starts empty, then it is added as a learner.
   */
  private static ClusterStep rejoin(MembershipFacts facts, int ordinal, String name, MembershipChange change,
      String scheme) {
    MembershipFacts.MemberClaim claim = facts.claims().get(ordinal);
    boolean staleClaim = claim != null && claim.uid().equals(change.getStaleVolumeClaimUID());
    boolean stalePod = change.getStalePodUID() != null && change.getStalePodUID().equals(facts.pods().get(ordinal));
    if (staleClaim || stalePod) {
      // A pod on the stale claim runs on the removed member's data, also one the cache had not shown at the removal.
      return new ClusterStep.ChangeMembership(new MembershipAction.Recycle(name,
          staleClaim ? Optional.of(claim.name()) : Optional.empty()), Reason.REPLACING_MEMBER,
          "recreating " + (staleClaim ? "the volume claim and pod" : "the pod") + " of " + name + " empty");
    }
    URI peerUrl = URI.create(facts.names().peerUrl(ordinal, scheme));
    return new ClusterStep.ChangeMembership(new MembershipAction.AddLearner(name, peerUrl), Reason.REPLACING_MEMBER,
        "adding " + name + " back as a learner, with empty data");
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
   * What a scale in leaves once etcd has removed the member and the StatefulSet is scaled down: the member's pod, until
   * it begins to stop (no Ready while a removed member still runs, and none that deleting its claim takes back), then
   * claims of ordinals the StatefulSet no longer runs and no member has, which Kubernetes does not delete itself (its
   * PVC retention policy needs 1.27+).
   */
  private static Optional<ClusterStep> scaleInLeftovers(MembershipFacts facts, boolean retainClaims) {
    if (facts.statefulSetReplicas() != facts.statefulSetReplicasForMembers()) {
      return Optional.empty();
    }
    Optional<Integer> stillRunning = facts.pods().keySet().stream()
        .filter(ordinal -> ordinal >= facts.statefulSetReplicas()).findFirst();
    if (stillRunning.isPresent()) {
      return Optional.of(new ClusterStep.Wait(LEARNER_POLL, Reason.SCALING_IN, "waiting for the pod of removed "
          + "member " + facts.names().podName(stillRunning.get()) + " to stop"));
    }
    if (retainClaims) {
      return Optional.empty();
    }
    List<String> leftovers = facts.claims().entrySet().stream()
        .filter(e -> e.getKey() >= facts.statefulSetReplicas())
        .map(e -> e.getValue().name()).toList();
    if (leftovers.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ClusterStep.ChangeMembership(new MembershipAction.DeleteClaims(
        facts.names().podName(facts.claims().lastKey()), leftovers), Reason.SCALING_IN,
        "deleting volume claims of removed members: " + String.join(", ", leftovers)));
  }
}
