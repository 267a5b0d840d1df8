package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.BackupDestination;
import dev.etcdoperator.api.v1alpha1.BackupScheduleSpec;
import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupStatus;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.S3Destination;
import dev.etcdoperator.testing.S3ProxyServer;
import dev.etcdoperator.testing.EtcdProcessCluster;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster with a backup schedule of every minute, with an application's data in it: the scheduled EtcdBackup
 * completes, its object in the bucket (S3Proxy in the test JVM) matches the SHA-256 and size in its status, and a
 * new three-member cluster restored from that object (etcdctl snapshot restore on every member) holds the data.
 */
@ClassTemplate
@ExtendWith(Backends.class)
class ScheduledBackupTest {
  private static final String NAME = "backed";
  private static final String BUCKET = "e2e-backups";

  @Test
  void aScheduledBackupCompletesAndRestoresToTheSameData(Scenario scenario, @TempDir Path dir) throws Exception {
    try (S3ProxyServer s3 = new S3ProxyServer()) {
      s3.createBucket(BUCKET);
      scenario.kube().secrets().inNamespace(scenario.namespace()).resource(new SecretBuilder().withNewMetadata()
          .withName("s3").endMetadata()
          .addToStringData(S3Destination.ACCESS_KEY_ID, S3ProxyServer.ACCESS_KEY)
          .addToStringData(S3Destination.SECRET_ACCESS_KEY, S3ProxyServer.SECRET_KEY).build()).create();
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
      EtcdBackupStatus status = complete(scenario).get(0).getStatus();
      String key = status.getLocation().substring(("s3://" + BUCKET + "/").length());
      byte[] object = s3.read(BUCKET, key);
      assertThat((long) object.length).isEqualTo(status.getSizeBytes());
      assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(object)))
          .isEqualTo(status.getSha256());
      assertThat(scenario.get(NAME).getStatus().getBackup().getLastSuccessfulBackup())
          .isEqualTo(complete(scenario).get(0).getMetadata().getName());

      Path snapshot = Files.write(dir.resolve("snapshot.db"), object);
      try (EtcdProcessCluster restored = EtcdProcessCluster.builder(dir.resolve("restored")).members(3)
          .namePrefix("restored").restoredFrom(snapshot).start();
          Client client = Client.builder().endpoints(restored.clientUrls().toArray(URI[]::new)).build()) {
        assertThat(Scenario.readKeys(client, "/app/")).isEqualTo(written);
      }
    }
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
