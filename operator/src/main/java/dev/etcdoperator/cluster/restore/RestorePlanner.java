package dev.etcdoperator.cluster.restore;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.RestoreSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The next step of a restore, before the StatefulSet exists. Pure. A failed member restore stops everything: the
 * StatefulSet is only created once every initial member holds the restored data, so no member ever starts empty
 * beside restored ones.
 */
public final class RestorePlanner {
  static final Duration RESTORE_POLL = Duration.ofSeconds(10);

  private RestorePlanner() {}

  /** Empty once every member is restored: then the cluster starts as usual. */
  public static Optional<ClusterStep> plan(RestoreFacts facts) {
    if (facts.allRestored()) {
      return Optional.empty();
    }
    for (Map.Entry<Integer, MemberRestore> member : facts.members().entrySet()) {
      if (member.getValue() instanceof MemberRestore.Failed failed) {
        return Optional.of(new ClusterStep.Halt(Reason.RESTORE_FAILED, "restore of member " + member.getKey()
            + " failed: " + failed.message() + "; delete the failed restore pod to try again"));
      }
    }
    List<Integer> notStarted = facts.members().entrySet().stream()
        .filter(m -> m.getValue() instanceof MemberRestore.NotStarted).map(Map.Entry::getKey).toList();
    if (!notStarted.isEmpty()) {
      return Optional.of(switch (facts.source().orElseThrow(() -> new IllegalStateException("source not resolved"))) {
        case RestoreSource.Unusable unusable -> new ClusterStep.Halt(Reason.RESTORE_FAILED, unusable.message());
        case RestoreSource.Pending pending -> new ClusterStep.Wait(RESTORE_POLL, Reason.RESTORING, pending.message());
        case RestoreSource.Located located -> new ClusterStep.RestoreMembers(notStarted, located);
      });
    }
    long done = facts.members().values().stream().filter(m -> m instanceof MemberRestore.Succeeded).count();
    return Optional.of(new ClusterStep.Wait(RESTORE_POLL, Reason.RESTORING,
        "restoring the snapshot: " + done + "/" + facts.members().size() + " members restored"));
  }
}
