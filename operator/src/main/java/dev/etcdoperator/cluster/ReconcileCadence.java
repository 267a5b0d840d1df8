package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.cluster.membership.MembershipPlanner;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.MembershipAction;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * When a cluster is looked at again: no informer reports etcd's own state (health, membership), so after each step
 * the reconciler comes back on its own, as soon as the step may have moved and at the resync interval otherwise.
 */
final class ReconcileCadence {
  static final Duration AFTER_REJECTION = Duration.ofMinutes(5);
  static final Duration AFTER_MEMBERSHIP_CHANGE = Duration.ofMillis(500);
  /**
   * A learner's pod (the StatefulSet raised for it) is the next step, and the leader, whose member list the next look
   * prefers, already lists the learner: every moment until its pod starts is a moment more per member of a scale out.
   */
  static final Duration AFTER_LEARNER_ADDED = Duration.ofMillis(100);
  static final Duration UNSETTLED_POLL = Duration.ofSeconds(1);

  private final Duration resyncInterval;
  private final Clock clock;

  ReconcileCadence(Duration resyncInterval, Clock clock) {
    this.resyncInterval = resyncInterval;
    this.clock = clock;
  }

  /**
   * @param clusterUid the cluster's UID, which fixes when in each resync interval its periodic look comes
   * @param wakeUps when something else is due (a scheduled backup, a maintenance step): the sooner wins
   */
  UpdateControl<EtcdCluster> next(UpdateControl<EtcdCluster> control, ClusterStep step, EtcdClusterStatus status,
      String clusterUid, List<Optional<Duration>> wakeUps) {
    UpdateControl<EtcdCluster> next = afterStep(control, step, status, clusterUid);
    for (Optional<Duration> wakeUp : wakeUps) {
      if (wakeUp.isPresent() && next.getScheduleDelay().map(d -> d > wakeUp.get().toMillis()).orElse(true)) {
        next = next.rescheduleAfter(wakeUp.get());
      }
    }
    return next;
  }

  /**
   * Until the cluster's own moment in the resync interval (a point fixed by its UID), at least half an interval away.
   * An interval after each reconcile instead would keep clusters that were created or taken up together in step for
   * ever: a wave of every cluster's look at etcd once per interval, in which the look for a change to any one of them
   * waits its turn behind the others' (seconds with a hundred clusters on two CPUs).
   */
  private Duration untilOwnTurn(String clusterUid) {
    long interval = resyncInterval.toMillis();
    long phase = Math.floorMod(Objects.hashCode(clusterUid), interval);
    long wait = interval - Math.floorMod(clock.millis() - phase, interval);
    return Duration.ofMillis(wait < interval / 2 ? wait + interval : wait);
  }

  private UpdateControl<EtcdCluster> afterStep(UpdateControl<EtcdCluster> control, ClusterStep step,
      EtcdClusterStatus status, String clusterUid) {
    return switch (step) {
      // Nothing to do, but not Ready yet (a member still catching up after a start): look again soon, as no
      // informer reports etcd's health.
      case ClusterStep.Done done when !isReady(status) -> control.rescheduleAfter(UNSETTLED_POLL);
      // Spec problems wait for a spec change (which triggers a reconcile): no retry storm.
      case ClusterStep.Halt halt when halt.reason().equals(Reason.INVALID_SPEC) -> control;
      case ClusterStep.Halt halt when halt.reason().equals(Reason.APPLY_REJECTED) ->
          control.rescheduleAfter(AFTER_REJECTION);
      // A refused membership change resumes by itself once members are healthy again, which only etcd tells.
      case ClusterStep.Halt halt when halt.reason().equals(Reason.MEMBERSHIP_CHANGE_BLOCKED) ->
          control.rescheduleAfter(MembershipPlanner.BLOCKED_POLL);
      case ClusterStep.Wait wait -> control.rescheduleAfter(wait.after());
      // etcd's membership changed, which no informer reports: look again soon for the next step.
      case ClusterStep.ChangeMembership change when change.action() instanceof MembershipAction.AddLearner ->
          control.rescheduleAfter(AFTER_LEARNER_ADDED);
      case ClusterStep.ChangeMembership change -> control.rescheduleAfter(AFTER_MEMBERSHIP_CHANGE);
      case ClusterStep.RestartMember restart -> control.rescheduleAfter(AFTER_MEMBERSHIP_CHANGE);
      // Status is only as fresh as the last look at etcd, so look again periodically.
      default -> control.rescheduleAfter(untilOwnTurn(clusterUid));
    };
  }

  private static boolean isReady(EtcdClusterStatus status) {
    return status.getConditions().stream().anyMatch(c -> EtcdClusterConditions.READY.equals(c.getType())
        && "True".equals(c.getStatus()));
  }
}
