package dev.etcdoperator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.ClusterReference;
import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupSpec;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.support.EventRecorder.Type;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Counters from the Events the reconcilers record, under the reasons they really use. */
class EventCountersTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final EventCounters counters = new EventCounters(registry);

  /** Where each counted reason is declared: a renamed reason there must not leave its counter at zero for good. */
  private static final Map<String, String> DECLARED_IN = Map.of(
      "dev.etcdoperator.cluster.membership.MembershipActions", "MEMBER_ADDED MEMBER_PROMOTED MEMBER_REMOVED",
      "dev.etcdoperator.cluster.rollout.MemberRestarts", "MEMBER_RESTARTED",
      "dev.etcdoperator.backup.EtcdBackupReconciler", "BACKUP_COMPLETED BACKUP_FAILED",
      "dev.etcdoperator.cluster.restore.MemberRestores", "RESTORE_STARTED");

  @Test
  void theCountedReasonsAreTheOnesTheReconcilersRecord() throws ReflectiveOperationException {
    Set<String> declared = new TreeSet<>();
    for (var entry : DECLARED_IN.entrySet()) {
      Class<?> type = Class.forName(entry.getKey());
      for (String field : entry.getValue().split(" ")) {
        var constant = type.getDeclaredField(field);
        constant.setAccessible(true);
        declared.add((String) constant.get(null));
      }
    }
    assertThat(EventCounters.COUNTED.keySet()).containsExactlyInAnyOrderElementsOf(declared);
  }

  @Test
  void changesCountPerClusterAndWarningsByReasonAlsoForBackups() {
    EtcdCluster cluster = new EtcdCluster();
    cluster.getMetadata().setName("main");
    cluster.getMetadata().setNamespace("ns");
    EtcdBackup backup = new EtcdBackup();
    backup.getMetadata().setName("main-202611201000");
    backup.getMetadata().setNamespace("ns");
    backup.setSpec(new EtcdBackupSpec());
    backup.getSpec().setClusterRef(new ClusterReference("main"));

    counters.recorded(cluster, Type.Normal, "MemberAdded");
    counters.recorded(cluster, Type.Normal, "MemberAdded");
    counters.recorded(cluster, Type.Normal, "MemberRemoved");
    counters.recorded(cluster, Type.Normal, "ClusterFormed");
    counters.recorded(backup, Type.Warning, "BackupFailed");
    counters.recorded(cluster, Type.Warning, "InvalidSpec");

    assertThat(count(EventCounters.MEMBERSHIP_CHANGES, "change", "added")).isEqualTo(2);
    assertThat(count(EventCounters.MEMBERSHIP_CHANGES, "change", "removed")).isEqualTo(1);
    assertThat(count(EventCounters.BACKUPS, "outcome", "failed")).isEqualTo(1);
    assertThat(count(EventCounters.FAILURES, "reason", "BackupFailed")).isEqualTo(1);
    assertThat(registry.get(EventCounters.FAILURES).tag("reason", "BackupFailed").counter().getId().getTag("kind"))
        .isEqualTo("EtcdBackup");
    assertThat(count(EventCounters.FAILURES, "reason", "InvalidSpec")).isEqualTo(1);
    assertThat(registry.getMeters()).allSatisfy(m -> {
      assertThat(m.getId().getTag("namespace")).isEqualTo("ns");
      assertThat(m.getId().getTag("cluster")).isEqualTo("main");
    });
  }

  private double count(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).tag("cluster", "main").counter().count();
  }
}
