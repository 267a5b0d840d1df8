package dev.etcdoperator.metrics;

import static dev.etcdoperator.testing.OperatorTestEnvironment.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.BackupDestination;
import dev.etcdoperator.api.v1alpha1.BackupScheduleSpec;
import dev.etcdoperator.api.v1alpha1.CertificateStatus;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.EtcdTuning;
import dev.etcdoperator.api.v1alpha1.MaintenanceSpec;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.api.v1alpha1.S3Destination;
import dev.etcdoperator.metrics.PrometheusText.Family;
import dev.etcdoperator.metrics.PrometheusText.Sample;
import dev.etcdoperator.support.ConditionSet;
import dev.etcdoperator.testing.OperatorPerClass;
import dev.etcdoperator.testing.OperatorTestEnvironment;
import dev.etcdoperator.testing.S3ProxyServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's /metrics over HTTP, parsed strictly, for a real three-member TLS cluster that has been backed up
 * (into S3Proxy) and defragmented: every cluster gauge is there with the value status shows, next to JOSDK's
 * reconcile meters and the JVM and process meters; once the cluster is deleted its gauges are gone.
 */
class OperatorMetricsEndpointTest {
  private static final String NS = "metrics-test";
  private static final String CLUSTER = "obs";
  private static final String BUCKET = "metrics-backups";
  private static final String CREDENTIALS = "s3-credentials";
  private static final long QUOTA = 1L << 30;
  @RegisterExtension
  static final OperatorPerClass OPERATOR = new OperatorPerClass(NS);
  private static S3ProxyServer s3;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startS3() throws Exception {
    s3 = new S3ProxyServer();
    s3.createBucket(BUCKET);
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (s3 != null) {
      s3.close();
    }
  }

  private static OperatorTestEnvironment env() {
    return OPERATOR.env();
  }

  @Test
  void everyClusterGaugeIsScrapedWithTheValueStatusShowsAndGoesWithTheCluster(@TempDir Path dir) {
    env().client().secrets().inNamespace(NS).resource(S3ProxyServer.credentialsSecret(CREDENTIALS)).create();
    env().create(CLUSTER, c -> {
      c.getSpec().setEtcd(new EtcdTuning());
      c.getSpec().getEtcd().setQuotaBackendBytes(QUOTA);
    });
    await().atMost(WAIT).until(() -> env().get(StatefulSet.class, CLUSTER) != null);
    env().etcd().put(CLUSTER, env().tlsMembers(CLUSTER, 3, dir).start());
    for (int i = 0; i < 3; i++) {
      env().runReadyPod(CLUSTER, i);
    }
    await().atMost(WAIT).until(() -> ConditionSet.isTrue(env().status(CLUSTER).getConditions(), "Ready"));

    env().editSpec(CLUSTER, c -> {
      c.getSpec().setBackup(everyMinute());
      Map<String, String> annotations = new HashMap<>(Optional.ofNullable(c.getMetadata().getAnnotations())
          .orElse(Map.of()));
      annotations.put(MaintenanceSpec.DEFRAGMENT_ANNOTATION, "now");
      c.getMetadata().setAnnotations(annotations);
      return c;
    });
    await().atMost(Duration.ofSeconds(150)).until(() -> {
      EtcdClusterStatus status = env().status(CLUSTER);
      return status.getBackup() != null && status.getBackup().getLastSuccessfulTime() != null
          && status.getMaintenance() != null && status.getMaintenance().getLastDefragmentation() != null;
    });

    System.gc(); // the GC pause timer appears with the first collection
    await().atMost(WAIT).untilAsserted(() -> {
      Map<String, Family> scrape = scrape();
      EtcdClusterStatus status = env().status(CLUSTER);
      Instant now = Instant.now();
      assertThat(gauge(scrape, ClusterGauge.DESIRED_MEMBERS)).isEqualTo(3);
      assertThat(gauge(scrape, ClusterGauge.MEMBERS)).isEqualTo(3);
      assertThat(gauge(scrape, ClusterGauge.VOTING_MEMBERS)).isEqualTo(3);
      assertThat(gauge(scrape, ClusterGauge.HEALTHY_MEMBERS)).isEqualTo(3);
      assertThat(gauge(scrape, ClusterGauge.LEARNERS)).isZero();
      assertThat(gauge(scrape, ClusterGauge.HAS_LEADER)).isEqualTo(1);
      assertThat(gauge(scrape, ClusterGauge.QUOTA_BACKEND_BYTES)).isEqualTo(QUOTA);
      assertThat(status.getMembers()).hasSize(3);
      for (MemberStatus member : status.getMembers()) {
        assertThat(gauge(scrape, ClusterGauge.MEMBER_DB_SIZE_BYTES, member.getName()))
            .isEqualTo(member.getDbSize().doubleValue());
        assertThat(gauge(scrape, ClusterGauge.MEMBER_DB_SIZE_IN_USE_BYTES, member.getName()))
            .isEqualTo(member.getDbSizeInUse().doubleValue());
      }
      assertThat(status.getCertificates()).extracting(CertificateStatus::getName)
          .contains("ca", "server", "peer", "operator-client");
      for (CertificateStatus certificate : status.getCertificates()) {
        double expected = Duration.between(now, OffsetDateTime.parse(certificate.getNotAfter()).toInstant())
            .toSeconds();
        assertThat(gauge(scrape, ClusterGauge.CERTIFICATE_EXPIRY_SECONDS, certificate.getName()))
            .as(certificate.getName()).isCloseTo(expected, within(30.0)).isPositive();
      }
      double backupAge = Duration.between(Instant.parse(status.getBackup().getLastSuccessfulTime()), now)
          .toSeconds();
      assertThat(gauge(scrape, ClusterGauge.LAST_SUCCESSFUL_BACKUP_AGE_SECONDS)).isCloseTo(backupAge, within(30.0))
          .isNotNegative();
      assertThat(gauge(scrape, ClusterGauge.BACKUP_SCHEDULE_INTERVAL_SECONDS)).isEqualTo(60);
      assertThat(gauge(scrape, ClusterGauge.LAST_DEFRAGMENTATION_TIMESTAMP_SECONDS)).isEqualTo(
          Instant.parse(status.getMaintenance().getLastDefragmentation().getFinishedAt()).getEpochSecond());
      assertThat(gauge(scrape, ClusterGauge.ROLLOUT_IN_PROGRESS)).isZero();
      assertThat(gauge(scrape, ClusterGauge.ROLLOUT_STALLED)).isZero();
      assertThat(gauge(scrape, ClusterGauge.MEMBERSHIP_CHANGE_IN_PROGRESS)).isZero();
      assertThat(gauge(scrape, ClusterGauge.NOSPACE_ALARM)).isZero();
      assertThat(status.getConditions()).extracting(Condition::getType).contains("Ready", "Available");
      for (Condition condition : status.getConditions()) {
        assertThat(gauge(scrape, ClusterGauge.CONDITION, condition.getType())).as(condition.getType())
            .isEqualTo("True".equals(condition.getStatus()) ? 1 : 0);
      }
      assertThat(sample(scrape, ClusterMetrics.LEADER_CHANGES + "_total", Map.of())).isPresent();
      assertThat(sample(scrape, EventCounters.BACKUPS + "_total", Map.of("outcome", "completed")))
          .hasValueSatisfying(s -> assertThat(s.value()).isGreaterThanOrEqualTo(1));
      // JOSDK's reconcile meters, the JVM's and the process's.
      assertThat(scrape.keySet()).anyMatch(n -> n.startsWith("operator_sdk_reconciliations"))
          .contains("jvm_memory_used_bytes", "jvm_gc_pause_seconds", "jvm_threads_live_threads",
              "process_cpu_usage", "process_uptime_seconds", "process_files_open_files", "system_cpu_count");
      assertThat(scrape.get("jvm_memory_used_bytes").type()).isEqualTo("gauge");
      assertThat(scrape.get(ClusterGauge.MEMBERS.prometheusName()).help()).isNotBlank();
    });

    env().resource(CLUSTER).delete();
    await().atMost(WAIT).untilAsserted(() -> assertThat(scrape().values().stream()
        .flatMap(f -> f.samples().stream())
        .filter(s -> s.name().startsWith("etcdoperator_cluster_") && CLUSTER.equals(s.labels().get("cluster"))))
        .as("series of the deleted cluster").isEmpty());
  }

  private static BackupScheduleSpec everyMinute() {
    S3Destination destination = new S3Destination();
    destination.setBucket(BUCKET);
    destination.setEndpoint(s3.endpoint().toString());
    destination.setForcePathStyle(true);
    destination.setCredentialsSecretRef(new S3Destination.SecretReference(CREDENTIALS));
    BackupScheduleSpec schedule = new BackupScheduleSpec();
    schedule.setSchedule("* * * * *");
    schedule.setDestination(new BackupDestination());
    schedule.getDestination().setS3(destination);
    return schedule;
  }

  private Map<String, Family> scrape() throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(env().metricsUrl()).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    return PrometheusText.parse(response.body());
  }

  private static double gauge(Map<String, Family> scrape, ClusterGauge gauge) {
    return gauge(scrape, gauge, null);
  }

  private static double gauge(Map<String, Family> scrape, ClusterGauge gauge, String extraLabelValue) {
    Family family = scrape.get(gauge.prometheusName());
    assertThat(family).as(gauge.prometheusName()).isNotNull();
    assertThat(family.type()).isEqualTo("gauge");
    Map<String, String> labels = new HashMap<>();
    gauge.extraLabel().ifPresent(label -> labels.put(label, extraLabelValue));
    Optional<Sample> sample = sample(scrape, gauge.prometheusName(), labels);
    assertThat(sample).as("%s %s", gauge.prometheusName(), labels).isPresent();
    return sample.get().value();
  }

  private static Optional<Sample> sample(Map<String, Family> scrape, String name, Map<String, String> labels) {
    Map<String, String> all = new HashMap<>(labels);
    all.put("namespace", NS);
    all.put("cluster", CLUSTER);
    return PrometheusText.find(scrape, name, all);
  }
}
