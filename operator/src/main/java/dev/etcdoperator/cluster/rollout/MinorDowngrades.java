package dev.etcdoperator.cluster.rollout;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.EtcdView;
import dev.etcdoperator.etcd.ClusterObservation;
import dev.etcdoperator.etcd.DowngradeStatus;
import dev.etcdoperator.etcd.EtcdClientException;
import dev.etcdoperator.etcd.MemberProbe;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.EventRecorder;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Carries out {@link DowngradePlan} against etcd before the first restart of a minor downgrade: asks etcd's status
 * of every member, enables the downgrade through the leader, and holds the rollout until etcd is ready for it.
 */
final class MinorDowngrades {
  static final String DOWNGRADE_ENABLED = "DowngradeEnabled";

  private final EventRecorder events;

  MinorDowngrades(EventRecorder events) {
    this.events = events;
  }

  /** Empty when the restart may go ahead; else the step that waits for etcd or stops the rollout. */
  Optional<ClusterStep> gate(EtcdCluster cluster, EtcdVersion from, EtcdVersion to, EtcdView etcd) {
    if (!(etcd instanceof EtcdView.Reached reached)) {
      return Optional.of(new ClusterStep.Wait(RolloutPlanner.POLL, Reason.ROLLING_OUT, "downgrading from " + from
          + " to " + to + " waits until etcd answers"));
    }
    ClusterObservation observed = reached.observation();
    List<DowngradeStatus> statuses = new ArrayList<>();
    for (MemberProbe probe : observed.probes().values()) {
      boolean voter = probe.memberId().flatMap(observed::member).map(m -> !m.learner()).orElse(false);
      if (voter) {
        try {
          statuses.add(reached.client().downgradeStatus(probe.endpoint()));
        } catch (EtcdClientException e) {
          // counted as missing: the plan waits for every member
        }
      }
    }
    int voters = (int) observed.members().stream().filter(m -> !m.learner()).count();
    return switch (DowngradePlan.next(to, statuses, voters)) {
      case DowngradePlan.Step.Proceed proceed -> Optional.empty();
      case DowngradePlan.Step.Await await -> Optional.of(new ClusterStep.Wait(RolloutPlanner.POLL,
          Reason.ROLLING_OUT, await.message()));
      case DowngradePlan.Step.Refuse refuse -> Optional.of(new ClusterStep.Halt(Reason.DOWNGRADE_BLOCKED,
          refuse.message()));
      case DowngradePlan.Step.Enable enable -> Optional.of(enable(cluster, from, to, enable.minor(), observed,
          reached));
    };
  }

  private ClusterStep enable(EtcdCluster cluster, EtcdVersion from, EtcdVersion to, String minor,
      ClusterObservation observed, EtcdView.Reached reached) {
    Optional<URI> leader = observed.leaderId().flatMap(id -> observed.probes().values().stream()
        .filter(p -> p.memberId().orElse(0L).equals(id)).map(MemberProbe::endpoint).findFirst());
    if (leader.isEmpty()) {
      return new ClusterStep.Wait(RolloutPlanner.POLL, Reason.ROLLING_OUT, "downgrading to " + minor
          + " waits for a leader to ask");
    }
    try {
      reached.client().enableDowngrade(leader.get(), to);
    } catch (EtcdClientException e) {
      return new ClusterStep.Halt(Reason.DOWNGRADE_BLOCKED, "etcd refused the downgrade from " + from + " to "
          + minor + ": " + e.getMessage() + ". Set spec.version back to " + from + ", or fix what etcd names");
    }
    events.record(cluster, EventRecorder.Type.Normal, DOWNGRADE_ENABLED, "enabled etcd's downgrade from " + from
        + " to " + minor + "; members restart on " + to + " once their data is migrated");
    return new ClusterStep.Wait(RolloutPlanner.POLL, Reason.ROLLING_OUT, "downgrade to " + minor + " enabled; "
        + "waiting for etcd to migrate the members' data");
  }
}
