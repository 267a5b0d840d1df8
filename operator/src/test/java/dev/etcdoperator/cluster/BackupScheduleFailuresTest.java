package dev.etcdoperator.cluster;

import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.BACKUP_READY;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.PROGRESSING;
import static dev.etcdoperator.testing.OperatorTestEnvironment.WAIT;
import static dev.etcdoperator.testing.OperatorTestEnvironment.condition;
import static dev.etcdoperator.testing.OperatorTestEnvironment.tls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.BackupDestination;
import dev.etcdoperator.api.v1alpha1.BackupScheduleSpec;
import dev.etcdoperator.api.v1alpha1.BootstrapSpec;
import dev.etcdoperator.api.v1alpha1.ClusterReference;
import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions;
import dev.etcdoperator.api.v1alpha1.EtcdBackupSpec;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.RestoreSpec;
import dev.etcdoperator.api.v1alpha1.S3Destination;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.resources.ClusterBackupBuilder;
import dev.etcdoperator.testing.OperatorPerClass;
import dev.etcdoperator.testing.OperatorTestEnvironment;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A backup schedule that cannot run (the API server refuses the EtcdBackup it creates, a backup with the cluster's
 * labels carries a scheduled time that does not parse) is reported in BackupReady; the rest of the cluster's
 * reconcile, status included, goes on.
 */
class BackupScheduleFailuresTest {
  private static final String NS = "backup-schedule-failures-test";
  private static final String CLUSTER = "sched";

  @RegisterExtension
  static final OperatorPerClass OPERATOR = new OperatorPerClass(NS);

  private static OperatorTestEnvironment env() {
    return OPERATOR.env();
  }

  @Test
  void aRefusedScheduledBackupIsReportedAndTheReconcileGoesOn() {
    EtcdCluster cluster = env().create(CLUSTER, c -> {
      c.getSpec().setTls(tls(TlsSpec.Mode.Disabled));
      BackupScheduleSpec schedule = new BackupScheduleSpec();
      schedule.setSchedule("0 * * * *");
      schedule.setDestination(new BackupDestination());
      schedule.getDestination().setS3(new S3Destination());
      schedule.getDestination().getS3().setBucket("backups");
      c.getSpec().setBackup(schedule);
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(env().status(CLUSTER).getBackup()).isNotNull());

    // A namespace quota of two EtcdBackups, both taken: a user's backup with the cluster's labels whose scheduled
    // time does not parse, and a complete scheduled backup from two hours ago, which makes the last hour's run due.
    // (Backups of the other tests in the namespace count too.)
    int others = env().client().resources(EtcdBackup.class).inNamespace(NS).list().getItems().size();
    env().client().resource(new ResourceQuotaBuilder().withNewMetadata().withName("two-backups").withNamespace(NS)
        .endMetadata().withNewSpec().addToHard("count/etcdbackups.etcdoperator.dev", new Quantity("" + (others + 2)))
        .endSpec().build()).create();
    env().client().resource(ClusterBackupBuilder.build(cluster, CLUSTER + "-typo", "scheduled-backup",
        EtcdBackupSpec.DeletionPolicy.Retain, Map.of("etcdoperator.dev/scheduled-at", "yesterday"))).create();
    Instant twoHoursAgo = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
    completeScheduledBackup(cluster, CLUSTER + "-old", twoHoursAgo);

    await().atMost(WAIT).untilAsserted(() -> {
      EtcdClusterStatus status = env().status(CLUSTER);
      Condition backupReady = condition(status, BACKUP_READY);
      assertThat(backupReady.getStatus()).isEqualTo("False");
      assertThat(backupReady.getReason()).isEqualTo("ScheduleFailed");
      assertThat(backupReady.getMessage()).startsWith("could not create scheduled backup " + CLUSTER + "-")
          .contains("exceeded quota: two-backups");
      assertThat(condition(status, PROGRESSING)).isNotNull();
      assertThat(status.getBackup().getLastScheduleTime()).as("the refused run stays due")
          .isEqualTo(twoHoursAgo.toString());
    });
    assertThat(env().eventsAbout(CLUSTER)).filteredOn(e -> "ScheduleFailed".equals(e.getReason())).isNotEmpty()
        .allSatisfy(e -> assertThat(e.getType()).isEqualTo("Warning"));

    // The quota raised: the due run is created at the next attempt, without a new spec change.
    env().client().resources(io.fabric8.kubernetes.api.model.ResourceQuota.class).inNamespace(NS)
        .withName("two-backups").edit(q -> {
          q.getSpec().getHard().put("count/etcdbackups.etcdoperator.dev", new Quantity("" + (others + 3)));
          return q;
        });
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(
        env().client().resources(EtcdBackup.class).inNamespace(NS).list().getItems())
        .extracting(b -> b.getMetadata().getName()).filteredOn(n -> n.startsWith(CLUSTER + "-")).hasSize(3));
    env().client().resources(io.fabric8.kubernetes.api.model.ResourceQuota.class).inNamespace(NS)
        .withName("two-backups").delete();
  }

  /** Retention never deletes the backup a cluster still has to restore from. */
  @Test
  void retentionKeepsABackupAClusterIsRestoringFrom() {
    String name = "kept";
    EtcdCluster cluster = env().create(name, c -> {
      c.getSpec().setTls(tls(TlsSpec.Mode.Disabled));
      BackupScheduleSpec schedule = new BackupScheduleSpec();
      schedule.setSchedule("0 0 1 1 *");
      schedule.setDestination(new BackupDestination());
      schedule.getDestination().setS3(new S3Destination());
      schedule.getDestination().getS3().setBucket("backups");
      schedule.setRetention(new BackupScheduleSpec.Retention());
      schedule.getRetention().setKeepLast(1);
      c.getSpec().setBackup(schedule);
    });
    Instant threeHoursAgo = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));
    EtcdBackup older = completeScheduledBackup(cluster, name + "-older", threeHoursAgo);
    // A new cluster restores from the older one; it has not formed yet.
    env().create("restoring", c -> {
      c.getSpec().setTls(tls(TlsSpec.Mode.Disabled));
      c.getSpec().setBootstrap(new BootstrapSpec());
      c.getSpec().getBootstrap().setRestore(new RestoreSpec());
      c.getSpec().getBootstrap().getRestore().setBackupName(older.getMetadata().getName());
    });
    await().atMost(WAIT).until(() -> env().resource("restoring").get().getStatus() != null);
    completeScheduledBackup(cluster, name + "-newer", threeHoursAgo.plus(Duration.ofHours(1)));

    await("retention runs").atMost(WAIT).until(() -> env().status(name).getBackup() != null
        && (name + "-newer").equals(env().status(name).getBackup().getLastSuccessfulBackup()));
    await().during(Duration.ofSeconds(5)).atMost(WAIT).until(() -> env().get(EtcdBackup.class, name + "-older") != null);

    env().resource("restoring").delete();
    await("retention deletes it once no cluster needs it").atMost(WAIT)
        .until(() -> env().get(EtcdBackup.class, name + "-older") == null);
    assertThat(env().get(EtcdBackup.class, name + "-newer")).isNotNull();
  }

  /**
   * A scheduled backup of {@code cluster}, marked complete as of {@code at}; of a cluster that does not exist, so
   * that no attempt of the backup reconciler can end it otherwise.
   */
  private static EtcdBackup completeScheduledBackup(EtcdCluster cluster, String name, Instant at) {
    EtcdBackup backup = ClusterBackupBuilder.build(cluster, name, "scheduled-backup",
        EtcdBackupSpec.DeletionPolicy.Retain, Map.of("etcdoperator.dev/scheduled-at", at.toString()));
    backup.getSpec().setClusterRef(new ClusterReference("nowhere"));
    var live = env().client().resources(EtcdBackup.class).inNamespace(NS).withName(name);
    env().client().resource(backup).create();
    await().atMost(WAIT).until(() -> live.get().getStatus() != null && live.get().getStatus().getConditions()
        .stream().anyMatch(c -> c.getMessage() != null && c.getMessage().contains("(ClusterNotFound)")));
    return live.editStatus(b -> {
      b.getStatus().setConditions(List.of(new ConditionBuilder().withType(EtcdBackupConditions.COMPLETE)
          .withStatus("True").withReason("SnapshotUploaded").withMessage("done")
          .withLastTransitionTime(at.toString()).build()));
      b.getStatus().setLocation("s3://backups/" + name);
      return b;
    });
  }
}
