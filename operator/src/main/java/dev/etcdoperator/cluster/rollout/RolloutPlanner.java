package dev.etcdoperator.cluster.rollout;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.MembershipAction;
import dev.etcdoperator.cluster.model.MembershipFacts;
import dev.etcdoperator.etcd.EtcdMember;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The next step of rolling a changed pod template out (GUIDE §5): members restarted one at a time through the
 * StatefulSet's OnDelete strategy, outdated unhealthy members first, then followers, the leader last after
 * handing leadership over; a pod is deleted only while every other voting member is healthy, and the next one
 * only once the restarted member is healthy again. A restarted member that is not healthy within the progress
 * deadline stops the rollout. Pure: no client, no clock.
 */
public final class RolloutPlanner {
  static final Duration POLL = Duration.ofSeconds(1);
  /** How long a restarted member is Ready before the next one is restarted. */
  static final Duration SETTLE = Duration.ofSeconds(5);

  private RolloutPlanner() {}

  /** Empty when every member's pod runs the StatefulSet's current revision. */
  public static Optional<ClusterStep> plan(MembershipFacts members, RolloutFacts rollout) {
    if (rollout.updateRevision().isEmpty()) {
      return Optional.empty();
    }
    String revision = rollout.updateRevision().get();
    if (!rollout.statefulSetCurrent()) {
      return Optional.of(new ClusterStep.Wait(POLL, Reason.ROLLING_OUT, "waiting for the StatefulSet controller to "
          + "take the new pod template"));
    }
    List<EtcdMember> voters = members.voters();
    List<EtcdMember> outdated = voters.stream().filter(m -> pod(members, rollout, m)
        .filter(p -> !revision.equals(p.revision())).isPresent()).toList();
    if (outdated.isEmpty()) {
      return Optional.empty();
    }
    for (EtcdMember member : voters) {
      Optional<RolloutFacts.MemberPod> pod = pod(members, rollout, member);
      if (pod.isPresent() && revision.equals(pod.get().revision()) && !members.isHealthy(member)) {
        return Optional.of(restarting(members.nameOf(member), pod.get(), rollout));
      }
    }
    EtcdMember next = outdated.stream().min(order(members)).orElseThrow();
    String name = members.nameOf(next);
    List<String> unhealthy = voters.stream().filter(m -> m.id() != next.id() && !members.isHealthy(m))
        .map(members::nameOf).toList();
    if (!unhealthy.isEmpty()) {
      return Optional.of(new ClusterStep.Wait(POLL, Reason.ROLLING_OUT, "restarting " + name + " waits until every "
          + "other member is healthy; not healthy: " + String.join(", ", unhealthy)));
    }
    List<String> podless = voters.stream().filter(m -> m.id() != next.id() && pod(members, rollout, m).isEmpty())
        .map(members::nameOf).toList();
    if (!podless.isEmpty()) {
      // etcd still answers for a pod in its grace period: a drain's eviction is seen here first.
      return Optional.of(new ClusterStep.Wait(POLL, Reason.ROLLING_OUT, "restarting " + name + " waits until the "
          + "pods of " + String.join(", ", podless) + " are back: they are being deleted or are missing (a node "
          + "drain, an eviction), and the member goes down with them"));
    }
    for (EtcdMember other : voters) {
      Optional<Duration> settling = pod(members, rollout, other).filter(p -> other.id() != next.id())
          .filter(p -> revision.equals(p.revision())).flatMap(p -> settleLeft(p, rollout.now()));
      if (settling.isPresent()) {
        // Clients (and the client Service, which lists Ready pods only) need a moment to come back to a restarted
        // member; restarting the next one at once would leave them fewer members than the cluster has up.
        return Optional.of(new ClusterStep.Wait(settling.get(), Reason.ROLLING_OUT, "restarting " + name
            + " waits until " + members.nameOf(other) + " has been Ready for " + SETTLE.toSeconds()
            + "s, so that clients reconnect to it"));
      }
    }
    if (members.leaderId().isEmpty()) {
      return Optional.of(new ClusterStep.Wait(POLL, Reason.ROLLING_OUT, "waiting for a leader before restarting "
          + name));
    }
    if (members.leaderId().get() == next.id() && voters.size() > 1) {
      EtcdMember transferee = voters.stream().filter(m -> m.id() != next.id())
          .min(Comparator.comparing((EtcdMember m) -> outdated.contains(m))
              .thenComparingInt(m -> members.ordinalOf(m).orElse(Integer.MAX_VALUE))).orElseThrow();
      URI endpoint = members.endpoints().get(next.id());
      if (endpoint == null) {
        return Optional.of(new ClusterStep.Wait(POLL, Reason.ROLLING_OUT, "waiting to reach leader " + name));
      }
      return Optional.of(new ClusterStep.ChangeMembership(new MembershipAction.MoveLeader(name, endpoint,
          transferee.id(), members.nameOf(transferee)), Reason.ROLLING_OUT, "moving leadership from " + name + " to "
              + members.nameOf(transferee) + " before restarting " + name));
    }
    RolloutFacts.MemberPod pod = pod(members, rollout, next).orElseThrow();
    int updated = voters.size() - outdated.size();
    String change = pod.image().equals(rollout.templateImage()) ? "pod template changed"
        : "image " + pod.image() + " -> " + rollout.templateImage();
    return Optional.of(new ClusterStep.RestartMember(name, pod.uid(), Reason.ROLLING_OUT, "restarting " + name
        + " (" + change + "; revision " + revision + "; " + updated + " of " + voters.size() + " members updated)"));
  }

  /**
   * Ordinals whose pod keeps failing on a revision no healthy voter runs: the pod template may be what fails, not the
   * member's data, so replacing the member (its volume deleted) would not help and could cost it. The rollout deals
   * with them (it stops at its deadline), or a fixed template restarts them.
   */
  public static Set<Integer> failingOnUnprovenTemplate(MembershipFacts members, RolloutFacts rollout) {
    Set<String> proven = members.voters().stream().filter(members::isHealthy)
        .map(m -> pod(members, rollout, m)).flatMap(Optional::stream).map(RolloutFacts.MemberPod::revision)
        .collect(Collectors.toSet());
    return members.failingPods().stream().filter(ordinal -> Optional.ofNullable(rollout.pods().get(ordinal))
        .map(p -> !proven.contains(p.revision())).orElse(false)).collect(Collectors.toSet());
  }

  /**
   * A learner that has not become healthy on a pod made from an older template is restarted onto the current one:
   * the StatefulSet (OnDelete) would never replace its pod, and the membership waits for that learner.
   */
  public static Optional<ClusterStep> restartStuckLearner(MembershipFacts members, RolloutFacts rollout) {
    if (rollout.updateRevision().isEmpty() || !rollout.statefulSetCurrent()) {
      return Optional.empty();
    }
    String revision = rollout.updateRevision().get();
    return members.learners().stream().filter(l -> !members.isHealthy(l)).flatMap(learner ->
        pod(members, rollout, learner).filter(p -> !revision.equals(p.revision())).map(p ->
            (ClusterStep) new ClusterStep.RestartMember(members.nameOf(learner), p.uid(), Reason.ROLLING_OUT,
                "restarting learner " + members.nameOf(learner) + ", which has not started on its pod, onto the "
                    + "current pod template (revision " + revision + ")")).stream()).findFirst();
  }

  /** Unhealthy outdated members first (repair before change), then followers, highest ordinal first; leader last. */
  private static Comparator<EtcdMember> order(MembershipFacts members) {
    return Comparator.comparing((EtcdMember m) -> members.isHealthy(m))
        .thenComparing(m -> members.leaderId().map(l -> l == m.id()).orElse(false))
        .thenComparing(m -> -members.ordinalOf(m).orElse(0));
  }

  private static ClusterStep restarting(String name, RolloutFacts.MemberPod pod, RolloutFacts rollout) {
    Duration waited = Duration.between(pod.created(), rollout.now());
    if (waited.compareTo(rollout.progressDeadline()) > 0) {
      return new ClusterStep.Halt(Reason.ROLLOUT_STALLED, name + " has not become healthy within "
          + rollout.progressDeadline().toSeconds() + "s of its restart on the new pod template (image "
          + pod.image() + "); no other member is touched. Fix the spec to resume: the member is restarted first");
    }
    // The message names the deadline, not the time waited so far: the same wait is the same status, not a status
    // write every poll.
    return new ClusterStep.Wait(POLL, Reason.ROLLING_OUT, "waiting for " + name + " to become healthy after its "
        + "restart (the rollout stalls at " + pod.created().plus(rollout.progressDeadline()) + " if it is not)");
  }

  /**
   * How long a restarted member's pod still has to be Ready before the next restart: until its settle time is up
   * (a wake-up then, not a poll), or a poll while it is not Ready; empty once it has settled.
   */
  private static Optional<Duration> settleLeft(RolloutFacts.MemberPod pod, Instant now) {
    if (pod.readySince().isEmpty()) {
      return Optional.of(POLL);
    }
    Duration left = Duration.between(now, pod.readySince().get().plus(SETTLE));
    return left.isPositive() ? Optional.of(left) : Optional.empty();
  }

  private static Optional<RolloutFacts.MemberPod> pod(MembershipFacts members, RolloutFacts rollout,
      EtcdMember member) {
    return members.ordinalOf(member).isPresent()
        ? Optional.ofNullable(rollout.pods().get(members.ordinalOf(member).getAsInt())) : Optional.empty();
  }
}
