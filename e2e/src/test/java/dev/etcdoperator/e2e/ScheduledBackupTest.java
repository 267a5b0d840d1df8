package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.BackupDestination;
import dev.etcdoperator.api.v1alpha1.BackupScheduleSpec;
import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupStatus;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.S3Destination;
import dev.etcdoperator.api.v1alpha1.BootstrapSpec;
import dev.etcdoperator.api.v1alpha1.RestoreSpec;
import dev.etcdoperator.api.v1alpha1.S3Bucket;
import dev.etcdoperator.api.v1alpha1.S3SnapshotLocation;
import dev.etcdoperator.testing.S3ProxyServer;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A cluster with a backup schedule of every minute, with an application's data in it: the scheduled EtcdBackup
 * completes and its object in the bucket (S3Proxy in the test JVM) matches the SHA-256 and size in its status. A new
 * EtcdCluster restored from that backup by the operator (restore pods, then the members) holds exactly the data, as a
 * new cluster; a tampered copy of the snapshot is refused before any member starts. Deleting the whole namespace
 * keeps the scheduled snapshot.
 */
@ClassTemplate
@ExtendWith(Backends.class)
class ScheduledBackupTest {
  private static final String NAME = "backed";
  private static final String BUCKET = "e2e-backups";

  @Test
  void aScheduledBackupCompletesAndRestoresToTheSameData(Scenario scenario) throws Exception {
    // Not on 127.0.0.1: that is each pod's own loopback (the stand-in maps it to the pod's address), and the
    // restore pods must reach the store, as they would reach a store's Service.
    try (S3ProxyServer s3 = new S3ProxyServer("127.0.0.2")) {
      s3.createBucket(BUCKET);
      scenario.kube().secrets().inNamespace(scenario.namespace()).resource(S3ProxyServer.credentialsSecret("s3"))
          .create();
      EtcdCluster cluster = scenario.tlsCluster(NAME, 3);
      cluster.getSpec().setBackup(everyMinute(s3.endpoint()));
      scenario.apply(cluster);
      scenario.awaitReady(NAME);
      Map<String, String> written;
      try (Client client = scenario.serviceClient(NAME)) {
        Scenario.writeKeys(client, "/app/", 2_000);
        written = Scenario.readKeys(client, "/app/");
      }

      await("a scheduled backup completes").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
          .until(() -> !complete(scenario).isEmpty());
      EtcdBackup backup = complete(scenario).get(0);
      EtcdBackupStatus status = backup.getStatus();
      String key = status.getLocation().substring(("s3://" + BUCKET + "/").length());
      byte[] object = s3.read(BUCKET, key);
      assertThat((long) object.length).isEqualTo(status.getSizeBytes());
      assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(object)))
          .isEqualTo(status.getSha256());
      assertThat(scenario.get(NAME).getStatus().getBackup().getLastSuccessfulBackup())
          .isEqualTo(backup.getMetadata().getName());

      Assumptions.assumeTrue(scenario.backend().name().equals("local"), "restore pods run the operator's image, "
          + "which no registry serves to K3s here, and would have to reach S3Proxy inside this JVM");
      EtcdCluster restored = scenario.tlsCluster("restored", 3);
      restored.getSpec().setBootstrap(restoreFrom(backup.getMetadata().getName(), null));
      scenario.apply(restored);
      EtcdCluster ready = scenario.awaitReady("restored");
      try (Client client = scenario.serviceClient("restored")) {
        assertThat(Scenario.readKeys(client, "/app/")).isEqualTo(written);
      }
      assertThat(ready.getStatus().getClusterID()).isNotEqualTo(status.getClusterID());
      // The operator deletes the restore pods before it reports the cluster Ready; a kubelet may take a moment more
      // to remove them, as it does any pod.
      assertThat(restorePods(scenario)).as("restore pods not being deleted once Ready")
          .filteredOn(p -> p.getMetadata().getDeletionTimestamp() == null).isEmpty();
      await("the restore pods are gone").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
          .until(() -> restorePods(scenario).isEmpty());

      // One bit flipped in a copy: the restore pods' check of the SHA-256 the backup recorded refuses it.
      object[object.length / 2] ^= 1;
      s3.put(BUCKET, "tampered.db", object);
      S3SnapshotLocation tampered = new S3SnapshotLocation();
      tampered.setBucket(BUCKET);
      tampered.setKey("tampered.db");
      tampered.setSha256(status.getSha256());
      tampered.setEndpoint(s3.endpoint().toString());
      tampered.setForcePathStyle(true);
      tampered.setCredentialsSecretRef(new S3Bucket.SecretReference("s3"));
      EtcdCluster refused = scenario.tlsCluster("tampered", 3);
      refused.getSpec().setBootstrap(restoreFrom(null, tampered));
      scenario.apply(refused);
      scenario.awaitCluster("tampered", "refusing the tampered snapshot", Duration.ofMinutes(2),
          etcd -> etcd.getStatus() != null && etcd.getStatus().getConditions().stream().anyMatch(c ->
              c.getType().equals("Progressing") && c.getReason().equals("RestoreFailed")
              && c.getMessage().contains("s3://" + BUCKET + "/tampered.db is corrupt")));
      assertThat(scenario.kube().apps().statefulSets().inNamespace(scenario.namespace()).withName("tampered").get())
          .as("no member of a refused restore").isNull();

      // The disaster backups are for: the whole namespace deleted, clusters, backups and credentials with it. The
      // scheduled snapshot stays in the bucket, and nothing holds the namespace up.
      scenario.kube().namespaces().withName(scenario.namespace()).delete();
      await("the namespace is gone").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
          .until(() -> scenario.kube().namespaces().withName(scenario.namespace()).get() == null);
      assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s3.read(BUCKET, key))))
          .as("the scheduled snapshot survives its namespace").isEqualTo(status.getSha256());
    }
  }

  private static List<Pod> restorePods(Scenario scenario) {
    return scenario.kube().pods().inNamespace(scenario.namespace())
        .withLabel("app.kubernetes.io/component", "restore").list().getItems();
  }

  /** spec.bootstrap restoring a backup by name, or a snapshot at an S3 location. */
  static BootstrapSpec restoreFrom(String backupName, S3SnapshotLocation s3) {
    RestoreSpec restore = new RestoreSpec();
    restore.setBackupName(backupName);
    restore.setS3(s3);
    BootstrapSpec bootstrap = new BootstrapSpec();
    bootstrap.setRestore(restore);
    return bootstrap;
  }

  private static BackupScheduleSpec everyMinute(URI endpoint) {
    S3Destination s3 = new S3Destination();
    s3.setBucket(BUCKET);
    s3.setEndpoint(endpoint.toString());
    s3.setForcePathStyle(true);
    s3.setCredentialsSecretRef(new S3Destination.SecretReference("s3"));
    BackupDestination destination = new BackupDestination();
    destination.setS3(s3);
    BackupScheduleSpec schedule = new BackupScheduleSpec();
    schedule.setSchedule("* * * * *");
    schedule.setDestination(destination);
    return schedule;
  }

  private static List<EtcdBackup> complete(Scenario scenario) {
    return scenario.kube().resources(EtcdBackup.class).inNamespace(scenario.namespace())
        .withLabel("app.kubernetes.io/instance", NAME).list().getItems().stream()
        .filter(b -> b.getStatus() != null && b.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Complete") && c.getStatus().equals("True")))
        .toList();
  }
}
