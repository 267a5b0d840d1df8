package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.DefragmentationRun;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MaintenanceStatus;
import dev.etcdoperator.api.v1alpha1.NoSpaceRecoveryStatus;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.EtcdView;
import dev.etcdoperator.support.ConditionSet;
import dev.etcdoperator.support.EventRecorder;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * spec.maintenance in the reconcile: NOSPACE recovery first (it holds the members while it runs), then
 * defragmentation; both record their progress in {@code status.maintenance}.
 */
final class ClusterMaintenance {
  private static final Duration DEFRAGMENTATION_POLL = Duration.ofSeconds(2);
  private final ClusterNoSpace noSpace;
  private final ClusterDefragmentation defragmentation;
  private final CompactedRevisionCheck compaction;
  private final Clock clock;

  /** @param lookInterval how often the compacted revision is looked up */
  ClusterMaintenance(KubernetesClient client, EventRecorder events, Clock clock, Duration lookInterval) {
    this(client, events, clock, lookInterval, new DefragmentationCalls());
  }

  ClusterMaintenance(KubernetesClient client, EventRecorder events, Clock clock, Duration lookInterval,
      DefragmentationCalls calls) {
    this.noSpace = new ClusterNoSpace(events, clock);
    this.defragmentation = new ClusterDefragmentation(client, events, clock, calls);
    this.compaction = new CompactedRevisionCheck(clock, lookInterval);
    this.clock = clock;
  }

  /**
   * While a member is being defragmented, the cluster's own changes wait: that member answers nothing meanwhile, so
   * a restart or membership change elsewhere would leave the cluster with one member fewer than it counts on.
   */
  ClusterStep holdWhileDefragmenting(EtcdCluster cluster, ClusterStep step) {
    Optional<String> member = defragmentation.defragmenting(cluster);
    if (member.isEmpty()) {
      return step;
    }
    String waits = "waits until the defragmentation of " + member.get() + " is done: ";
    return switch (step) {
      case ClusterStep.ChangeMembership change -> new ClusterStep.Wait(DEFRAGMENTATION_POLL, change.reason(),
          waits + change.message());
      case ClusterStep.RestartMember restart -> new ClusterStep.Wait(DEFRAGMENTATION_POLL, restart.reason(),
          waits + restart.message());
      case ClusterStep.ExpandStorage grow -> new ClusterStep.Wait(DEFRAGMENTATION_POLL, Reason.EXPANDING_STORAGE,
          waits + "expanding member volumes to " + grow.size());
      default -> step;
    };
  }

  /** Drops what is kept in memory for a cluster that is gone. */
  void forget(EtcdCluster cluster) {
    defragmentation.forget(cluster);
    compaction.forget(cluster);
  }

  /** The maintenance status to write, what the conditions should say of it, and when to look again. */
  record Outcome(MaintenanceStatus status, ClusterNoSpace.Outcome noSpace, ClusterDefragmentation.Outcome defrag) {
    Optional<Duration> wakeUp() {
      return Stream.of(noSpace.wakeUp(), defrag.wakeUp()).flatMap(Optional::stream).min(Duration::compareTo);
    }
  }

  Outcome run(EtcdCluster cluster, ClusterStep step, EtcdView etcd, MaintenanceStatus previous) {
    MaintenanceStatus status = copy(previous);
    status.setCompactedRevision(compaction.refresh(cluster, etcd, Optional.ofNullable(status.getCompactedRevision()))
        .orElse(null));
    // Paused, or a spec in error: no change to the cluster, also none of maintenance's.
    boolean handsOff = step instanceof ClusterStep.Halt halt
        && (halt.reason().equals(Reason.PAUSED) || halt.reason().equals(Reason.INVALID_SPEC));
    ClusterNoSpace.Outcome noSpaceOutcome = handsOff ? ClusterNoSpace.Outcome.NONE
        : noSpace.run(cluster, etcd, status);
    ClusterStep forDefragmentation = noSpaceOutcome.active()
        ? new ClusterStep.Wait(Duration.ofSeconds(2), Reason.NO_SPACE, "the NOSPACE recovery is under way") : step;
    return new Outcome(status, noSpaceOutcome, defragmentation.run(cluster, forDefragmentation, etcd, status));
  }

  /**
   * Writes the outcome into the status being computed: the record, Progressing during a run, Degraded's story.
   *
   * @param before the conditions written last time, against which a transition time is kept
   */
  void report(Outcome outcome, EtcdClusterStatus status, List<Condition> before) {
    MaintenanceStatus maintenance = outcome.status();
    status.setMaintenance(maintenance.equals(new MaintenanceStatus()) ? null : maintenance);
    outcome.defrag().progressingState().ifPresent(state -> override(status, before,
        EtcdClusterConditions.PROGRESSING, state.reason(), state.message()));
    outcome.defrag().state().ifPresent(state -> {
      List<Condition> conditions = new ArrayList<>(status.getConditions());
      conditions.addAll(new ConditionSet(before, Optional.ofNullable(status.getObservedGeneration()).orElse(0L), clock)
          .set(EtcdClusterConditions.DEFRAGMENTING, state.running(), state.reason(), state.message()).build());
      status.setConditions(conditions);
    });
    outcome.noSpace().degradedMessage().filter(m -> ConditionSet.find(status.getConditions(),
        EtcdClusterConditions.DEGRADED).map(c -> Reason.NO_SPACE.equals(c.getReason())).orElse(false))
        .ifPresent(message -> override(status, before, EtcdClusterConditions.DEGRADED, Reason.NO_SPACE, message));
  }

  /** Replaces one condition (status True) in place, keeping every other. */
  private void override(EtcdClusterStatus status, List<Condition> before, String type, String reason,
      String message) {
    Condition replacement = new ConditionSet(before, Optional.ofNullable(status.getObservedGeneration()).orElse(0L),
        clock).set(type, true, reason, message).build().get(0);
    status.setConditions(status.getConditions().stream().map(c -> c.getType().equals(type) ? replacement : c)
        .toList());
  }

  /** A copy that may change without changing {@code previous}, which the reconciler compares against. */
  private static MaintenanceStatus copy(MaintenanceStatus previous) {
    MaintenanceStatus status = new MaintenanceStatus();
    if (previous == null) {
      return status;
    }
    Optional.ofNullable(previous.getDefragmentationRun()).ifPresent(old -> {
      DefragmentationRun run = new DefragmentationRun();
      run.setStartedAt(old.getStartedAt());
      run.setTrigger(old.getTrigger());
      run.setMembers(List.copyOf(old.getMembers()));
      run.setDone(List.copyOf(old.getDone()));
      status.setDefragmentationRun(run);
    });
    Optional.ofNullable(previous.getNoSpaceRecovery()).ifPresent(old -> {
      NoSpaceRecoveryStatus attempt = new NoSpaceRecoveryStatus();
      attempt.setStartedAt(old.getStartedAt());
      attempt.setCompacted(old.getCompacted());
      attempt.setDefragmented(List.copyOf(old.getDefragmented()));
      status.setNoSpaceRecovery(attempt);
    });
    status.setLastDefragmentation(previous.getLastDefragmentation());
    status.setLastScheduledDefragmentation(previous.getLastScheduledDefragmentation());
    status.setLastNoSpaceRecoveryEnded(previous.getLastNoSpaceRecoveryEnded());
    status.setLastNoSpaceRecoveryQuota(previous.getLastNoSpaceRecoveryQuota());
    status.setCompactedRevision(previous.getCompactedRevision());
    return status;
  }
}
