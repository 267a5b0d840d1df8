package dev.etcdoperator.metrics;

import dev.etcdoperator.support.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.Optional;

/**
 * Counters from the Events the operator records, which already mark each change it makes and each failure it
 * meets: membership changes, member restarts, backups by outcome, restores started, and every Warning by reason.
 * Reasons are the operator's own CamelCase constants (a bounded set); messages never become labels.
 */
public final class EventCounters implements EventRecorder.Listener {
  static final String MEMBERSHIP_CHANGES = "etcdoperator_membership_changes";
  static final String MEMBER_RESTARTS = "etcdoperator_member_restarts";
  static final String BACKUPS = "etcdoperator_backups";
  static final String RESTORES = "etcdoperator_restores";
  static final String FAILURES = "etcdoperator_failures";

  /**
   * The reasons of the Events that mark a change, as the reconcilers record them (MembershipActions,
   * MemberRestarts, EtcdBackupReconciler, MemberRestores; EventCountersTest reads them there), and the counter and
   * extra label each one counts under.
   */
  static final Map<String, Counted> COUNTED = Map.of(
      "MemberAdded", new Counted(MEMBERSHIP_CHANGES, Tags.of("change", "added")),
      "MemberPromoted", new Counted(MEMBERSHIP_CHANGES, Tags.of("change", "promoted")),
      "MemberRemoved", new Counted(MEMBERSHIP_CHANGES, Tags.of("change", "removed")),
      "MemberRestarted", new Counted(MEMBER_RESTARTS, Tags.empty()),
      "BackupCompleted", new Counted(BACKUPS, Tags.of("outcome", "completed")),
      "BackupFailed", new Counted(BACKUPS, Tags.of("outcome", "failed")),
      "RestoreStarted", new Counted(RESTORES, Tags.empty()));

  record Counted(String counter, Tags tags) {}

  private static final Map<String, String> HELP = Map.of(
      MEMBERSHIP_CHANGES, "Membership changes the operator made to etcd, by change (added, promoted, removed).",
      MEMBER_RESTARTS, "Member pods the operator restarted (rollouts, certificate and CA changes).",
      BACKUPS, "Backups (EtcdBackup) of the cluster that ended, by outcome (completed, failed).",
      RESTORES, "Restores of a snapshot the operator started (spec.bootstrap.restore).",
      FAILURES, "Warnings the operator recorded as Events about the cluster or its backups, by reason.");

  private final MeterRegistry registry;

  public EventCounters(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void recorded(HasMetadata about, EventRecorder.Type type, String reason) {
    Optional<ClusterKey> key = ClusterKey.about(about);
    if (key.isEmpty() || reason == null) {
      return;
    }
    Counted counted = COUNTED.get(reason);
    if (counted != null) {
      increment(counted.counter(), key.get().tags().and(counted.tags()));
    }
    if (type == EventRecorder.Type.Warning) {
      increment(FAILURES, key.get().tags().and("kind", about.getKind(), "reason", reason));
    }
  }

  private void increment(String name, Tags tags) {
    Counter.builder(name).description(HELP.get(name)).tags(tags).register(registry).increment();
  }
}
