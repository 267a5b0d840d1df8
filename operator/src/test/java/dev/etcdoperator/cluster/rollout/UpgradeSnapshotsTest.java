package dev.etcdoperator.cluster.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.BackupDestination;
import dev.etcdoperator.api.v1alpha1.BackupScheduleSpec;
import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions;
import dev.etcdoperator.api.v1alpha1.EtcdBackupSpec;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.S3Destination;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.resources.ClusterBackupBuilder;
import dev.etcdoperator.support.EventRecorder;
import dev.etcdoperator.testing.MutableClock;
import dev.etcdoperator.testing.ApiServerPerClass;
import dev.etcdoperator.testing.TestClusters;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The snapshot before a minor upgrade is of the data the upgrade starts from (review finding 11a): one left by an
 * upgrade given up weeks ago is not accepted in its place.
 */
class UpgradeSnapshotsTest {
  private static final String NAME = TestClusters.NAME + "-before-v3.5.21";
  private static final String CLUSTER_ID = "8e9e05c52164694d";

  @RegisterExtension
  static final ApiServerPerClass API = ApiServerPerClass.withCrds();
  private final KubernetesClient client = API.client();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
  private final UpgradeSnapshots snapshots = new UpgradeSnapshots(client, new EventRecorder(client, clock), clock);

  @AfterEach
  void removeSnapshots() {
    client.resources(EtcdBackup.class).inNamespace(TestClusters.NAMESPACE).delete();
  }

  @Test
  void aSnapshotCompletedWithinTheHourIsTheOneTheUpgradeGoesOnWith() {
    EtcdCluster cluster = cluster();
    completed(cluster, clock.instant().minus(Duration.ofMinutes(50)));

    assertThat(snapshots.awaitSnapshot(cluster, TestClusters.version("3.4.23"), TestClusters.version("3.5.21")))
        .isEmpty();
  }

  @Test
  void aSnapshotFromAnUpgradeGivenUpLongAgoIsTakenAgain() {
    EtcdCluster cluster = cluster();
    String staleUid = completed(cluster, clock.instant().minus(Duration.ofDays(20)));

    Optional<ClusterStep> step = snapshots.awaitSnapshot(cluster, TestClusters.version("3.4.23"),
        TestClusters.version("3.5.21"));

    assertThat(step).get().isInstanceOf(ClusterStep.Wait.class);
    assertThat(client.resources(EtcdBackup.class).inNamespace(TestClusters.NAMESPACE).withName(NAME).get())
        .as("the stale EtcdBackup is deleted (its snapshot stays in the bucket)").isNull();
    assertThat(client.v1().events().inNamespace(TestClusters.NAMESPACE).list().getItems())
        .anySatisfy(e -> {
          assertThat(e.getReason()).isEqualTo(UpgradeSnapshots.UPGRADE_SNAPSHOT_STALE);
          assertThat(e.getMessage()).isEqualTo("EtcdBackup " + NAME + " completed at 2026-11-13T10:00:00Z, more "
              + "than 60 minutes ago: taking a fresh one before upgrading from 3.4.23 to 3.5.21; the old snapshot "
              + "stays at s3://backups/db/main/old.db");
        });

    assertThat(snapshots.awaitSnapshot(cluster, TestClusters.version("3.4.23"), TestClusters.version("3.5.21")))
        .get().isInstanceOfSatisfying(ClusterStep.Wait.class, wait -> assertThat(wait.message())
            .startsWith("taking a snapshot (EtcdBackup " + NAME + ")"));
    EtcdBackup fresh = client.resources(EtcdBackup.class).inNamespace(TestClusters.NAMESPACE).withName(NAME).get();
    assertThat(fresh.getMetadata().getUid()).isNotEqualTo(staleUid);
    assertThat(fresh.getSpec().getDeletionPolicy()).isEqualTo(EtcdBackupSpec.DeletionPolicy.Retain);
  }

  private static EtcdCluster cluster() {
    S3Destination s3 = new S3Destination();
    s3.setBucket("backups");
    s3.setCredentialsSecretRef(new S3Destination.SecretReference("s3"));
    BackupDestination destination = new BackupDestination();
    destination.setS3(s3);
    BackupScheduleSpec backup = new BackupScheduleSpec();
    backup.setSchedule("0 3 * * *");
    backup.setDestination(destination);
    EtcdCluster cluster = TestClusters.cluster(spec -> spec.setBackup(backup));
    cluster.setStatus(new EtcdClusterStatus());
    cluster.getStatus().setClusterID(CLUSTER_ID);
    return cluster;
  }

  /** The upgrade snapshot, complete at {@code at}; returns its UID. */
  private String completed(EtcdCluster cluster, Instant at) {
    EtcdBackup backup = client.resource(ClusterBackupBuilder.build(cluster, NAME, UpgradeSnapshots.COMPONENT,
        EtcdBackupSpec.DeletionPolicy.Retain, Map.of())).create();
    var status = new dev.etcdoperator.api.v1alpha1.EtcdBackupStatus();
    status.setConditions(List.of(new ConditionBuilder().withType(EtcdBackupConditions.COMPLETE).withStatus("True")
        .withReason("SnapshotUploaded").withMessage("done").withLastTransitionTime(at.toString()).build()));
    status.setCompletionTime(at.toString());
    status.setClusterID(CLUSTER_ID);
    status.setLocation("s3://backups/db/main/old.db");
    backup.setStatus(status);
    return client.resource(backup).updateStatus().getMetadata().getUid();
  }
}
