package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.BackupDestination;
import dev.etcdoperator.api.v1alpha1.BackupScheduleSpec;
import dev.etcdoperator.api.v1alpha1.ClusterReference;
import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupSpec;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.api.v1alpha1.S3Destination;
import dev.etcdoperator.etcd.EtcdTls;
import dev.etcdoperator.testing.S3ProxyServer;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.Condition;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One cluster's life across real etcd releases, each change under an application that writes throughout and a probe
 * that reads every 100 ms, every acknowledged write read back: 3.4.23 (warned as out of support), a minor upgrade to
 * 3.5.16 with a snapshot first (every member then reports 3.5.16, the cluster version 3.5; 3.5.16 warned as lacking
 * a security fix), 3.6 refused for being below its floor (naming 3.5.32), a patch upgrade to 3.5.30, scaling
 * 3 -> 5 -> 3 on it, and a backup taken on 3.5.30 restored into a new cluster by 3.5's etcdutl.
 */
@ClassTemplate
@ExtendWith(Backends.class)
class RealUpgradesTest {
  private static final String NAME = "up";
  private static final String BUCKET = "upgrades";
  private static final Pattern CLUSTER_VERSION = Pattern.compile("\"etcdcluster\":\"([0-9.]+)\"");

  @Test
  void aClusterMovesFromThreeFourThroughThreeFivePatchesAndItsBackupRestoresWithEtcdutl(Scenario scenario)
      throws Exception {
    try (S3ProxyServer s3 = new S3ProxyServer("127.0.0.2")) {
      s3.createBucket(BUCKET);
      scenario.kube().secrets().inNamespace(scenario.namespace()).resource(S3ProxyServer.credentialsSecret("s3"))
          .create();
      EtcdCluster cluster = scenario.tlsCluster(NAME, 3);
      cluster.getSpec().setVersion("3.4.23");
      cluster.getSpec().setBackup(dailyBackups(s3.endpoint()));
      scenario.apply(cluster);
      scenario.awaitReady(NAME);
      assertVersionSupported(scenario, "False", "OutOfSupport", "etcd 3.4.23 is a 3.4 release");

      Traffic.around(scenario, NAME, () -> moveTo(scenario, "3.5.16"));
      // The leader raises the cluster version a few seconds after the last member runs 3.5.
      await("cluster version 3.5 after the minor upgrade").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
              assertThat(clusterVersion(scenario, NAME)).isEqualTo("3.5.0"));
      assertThat(scenario.eventReasons(NAME)).contains("OutOfSupport", "UpgradeSnapshotTaken");
      assertThat(complete(scenario, NAME + "-before-v3.5.16")).as("the snapshot taken before the upgrade").isTrue();
      assertVersionSupported(scenario, "False", "SecurityFixMissing", "etcd 3.5.16 lacks the fix for CVE-2026-44283");
      assertThat(scenario.eventReasons(NAME)).contains("SecurityFixMissing");

      scenario.patch(NAME, c -> {
        c.getSpec().setVersion("3.6.16");
        return c;
      });
      scenario.awaitCluster(NAME, "refusing 3.6 below its floor", Duration.ofSeconds(30),
          etcd -> etcd.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Degraded")
              && c.getReason().equals("InvalidSpec") && c.getMessage().contains("requires every member on 3.5.32 "
                  + "or later before moving to 3.6; the cluster runs 3.5.16")));

      Traffic.around(scenario, NAME, () -> moveTo(scenario, "3.5.30"));
      assertVersionSupported(scenario, "True", "SupportedVersion", "etcd 3.5.30 is supported");

      Traffic.around(scenario, NAME, () -> {
        scale(scenario, 5);
        scale(scenario, 3);
      });
      assertThat(scenario.get(NAME).getStatus().getMembers()).extracting(MemberStatus::getVersion)
          .containsOnly("3.5.30");

      Assumptions.assumeTrue(scenario.backend().name().equals("local"), "restore pods run the operator's image, "
          + "which no registry serves to K3s here, and would have to reach S3Proxy inside this JVM");
      Map<String, String> written;
      try (Client client = scenario.serviceClient(NAME)) {
        Scenario.writeKeys(client, "/app/", 500);
        written = Scenario.readKeys(client, "/app/");
      }
      scenario.kube().resources(EtcdBackup.class).inNamespace(scenario.namespace())
          .resource(backupOf(NAME, "on-3-5", s3.endpoint())).create();
      await("the backup on 3.5.30 completes").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
          .until(() -> complete(scenario, "on-3-5"));
      EtcdCluster restored = scenario.tlsCluster("restored", 3);
      restored.getSpec().setVersion("3.5.30");
      restored.getSpec().setBootstrap(ScheduledBackupTest.restoreFrom("on-3-5", null));
      scenario.apply(restored);
      scenario.awaitReady("restored");
      try (Client client = scenario.serviceClient("restored")) {
        assertThat(Scenario.readKeys(client, "/app/")).isEqualTo(written);
      }
      assertThat(restoreCommands(scenario, "restored")).as("the restore pods' commands").isNotEmpty()
          .allMatch(line -> line.contains("/3.5.30/usr/bin/etcdutl snapshot restore"));
    }
  }

  /** Sets spec.version and waits until every member runs it, Ready, with the rollout done. */
  private static void moveTo(Scenario scenario, String version) {
    scenario.patch(NAME, c -> {
      c.getSpec().setVersion(version);
      return c;
    });
    scenario.awaitCluster(NAME, "every member on " + version, Duration.ofMinutes(4),
        etcd -> Scenario.hasCondition(etcd, "Ready", "True") && etcd.getStatus().getRollout() == null
            && etcd.getStatus().getMembers().size() == 3
            && etcd.getStatus().getMembers().stream().allMatch(m -> version.equals(m.getVersion()))
            && version.equals(etcd.getStatus().getCurrentVersion()));
  }

  private static void scale(Scenario scenario, int replicas) {
    scenario.patch(NAME, c -> {
      c.getSpec().setReplicas(replicas);
      return c;
    });
    scenario.awaitVotingMembers(NAME, replicas, Duration.ofMinutes(3));
  }

  private static void assertVersionSupported(Scenario scenario, String status, String reason, String message) {
    EtcdCluster etcd = scenario.awaitCluster(NAME, "VersionSupported=" + status, Duration.ofSeconds(30),
        c -> Scenario.hasCondition(c, "VersionSupported", status));
    Condition condition = etcd.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("VersionSupported")).findFirst().orElseThrow();
    assertThat(condition.getReason()).isEqualTo(reason);
    assertThat(condition.getMessage()).startsWith(message);
  }

  /**
   * The cluster version member 0 reports at {@code /version}, asked with the application's client certificate
   * (curl, resolving the member's name as this JVM does).
   */
  private static String clusterVersion(Scenario scenario, String name) throws IOException, InterruptedException {
    URI member = URI.create(scenario.backend().memberEndpoint(name, 0));
    Path dir = scenario.backend().workDir().resolve("client-" + name + "-version");
    EtcdTls tls = ServiceClient.files(scenario.kube(), scenario.namespace(), name, Scenario.CLIENT_CERTIFICATE, dir);
    String address = InetAddress.getByName(member.getHost()).getHostAddress();
    Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "10", "--resolve",
        member.getHost() + ":" + member.getPort() + ":" + address, "--cacert", tls.caCertPem().toString(), "--cert",
        tls.clientCertPem().toString(), "--key", tls.clientKeyPem().toString(), member.resolve("/version").toString())
        .redirectErrorStream(true).start();
    String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
    Matcher version = CLUSTER_VERSION.matcher(out);
    assertThat(version.find()).as("/version answered: %s", out).isTrue();
    return version.group(1);
  }

  private static boolean complete(Scenario scenario, String backup) {
    EtcdBackup found = scenario.kube().resources(EtcdBackup.class).inNamespace(scenario.namespace())
        .withName(backup).get();
    return found != null && found.getStatus() != null && found.getStatus().getConditions().stream()
        .anyMatch(c -> c.getType().equals("Complete") && c.getStatus().equals("True"));
  }

  /** The command lines the restore pods of a cluster started with, from their logs. */
  private static List<String> restoreCommands(Scenario scenario, String cluster) throws IOException {
    try (Stream<Path> logs = Files.list(scenario.backend().podLogs())) {
      return logs.filter(p -> p.getFileName().toString().startsWith(scenario.namespace() + "_" + cluster + "-")
              && p.getFileName().toString().contains("restore"))
          .flatMap(p -> {
            try {
              return Files.readAllLines(p).stream();
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          })
          .filter(line -> line.startsWith("### start: ") && line.contains("snapshot restore")).toList();
    }
  }

  private static S3Destination s3(URI endpoint) {
    S3Destination s3 = new S3Destination();
    s3.setBucket(BUCKET);
    s3.setEndpoint(endpoint.toString());
    s3.setForcePathStyle(true);
    s3.setCredentialsSecretRef(new S3Destination.SecretReference("s3"));
    return s3;
  }

  private static BackupScheduleSpec dailyBackups(URI endpoint) {
    BackupDestination destination = new BackupDestination();
    destination.setS3(s3(endpoint));
    BackupScheduleSpec schedule = new BackupScheduleSpec();
    schedule.setSchedule("0 3 * * *");
    schedule.setDestination(destination);
    return schedule;
  }

  private static EtcdBackup backupOf(String cluster, String name, URI endpoint) {
    EtcdBackup backup = new EtcdBackup();
    backup.getMetadata().setName(name);
    EtcdBackupSpec spec = new EtcdBackupSpec();
    ClusterReference ref = new ClusterReference();
    ref.setName(cluster);
    spec.setClusterRef(ref);
    BackupDestination destination = new BackupDestination();
    destination.setS3(s3(endpoint));
    spec.setDestination(destination);
    backup.setSpec(spec);
    return backup;
  }
}
