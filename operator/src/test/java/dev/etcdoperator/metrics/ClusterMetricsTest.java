package dev.etcdoperator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.BackupScheduleStatus;
import dev.etcdoperator.api.v1alpha1.CertificateStatus;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.support.EventRecorder;
import dev.etcdoperator.testing.MutableClock;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-cluster series on a registry: values from status, measured ages, leader changes, removal. */
class ClusterMetricsTest {
  private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
  private final MutableClock clock = new MutableClock(NOW);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ClusterMetrics metrics = new ClusterMetrics(registry, clock);

  @Test
  void gaugesFollowStatusAndAgesAreMeasuredWhenRead() {
    EtcdCluster cluster = cluster("a");
    EtcdClusterStatus status = status(member("a-0", "1", true, false), member("a-1", "2", false, false),
        member("a-2", "3", false, true));
    CertificateStatus server = new CertificateStatus();
    server.setName("server");
    server.setNotAfter("2026-11-30T10:00:00Z");
    status.setCertificates(List.of(server));
    status.setBackup(new BackupScheduleStatus());
    status.getBackup().setLastSuccessfulTime("2026-11-20T09:00:00Z");
    status.getBackup().setLastScheduleTime("2026-11-20T09:00:00Z");
    status.getBackup().setNextScheduleTime("2026-11-20T10:00:00Z");
    status.setConditions(List.of(new ConditionBuilder().withType("Ready").withStatus("False").build()));
    metrics.observed(cluster, status);

    assertThat(value(ClusterGauge.MEMBERS, Map.of())).isEqualTo(3);
    assertThat(value(ClusterGauge.VOTING_MEMBERS, Map.of())).isEqualTo(2);
    assertThat(value(ClusterGauge.LEARNERS, Map.of())).isEqualTo(1);
    assertThat(value(ClusterGauge.HEALTHY_MEMBERS, Map.of())).isEqualTo(3);
    assertThat(value(ClusterGauge.HAS_LEADER, Map.of())).isEqualTo(1);
    assertThat(value(ClusterGauge.QUOTA_BACKEND_BYTES, Map.of())).isEqualTo(ClusterGauges.ETCD_DEFAULT_QUOTA_BYTES);
    assertThat(value(ClusterGauge.MEMBER_DB_SIZE_BYTES, Map.of("member", "a-1"))).isEqualTo(2000);
    assertThat(value(ClusterGauge.CONDITION, Map.of("type", "Ready"))).isZero();
    assertThat(value(ClusterGauge.CERTIFICATE_EXPIRY_SECONDS, Map.of("certificate", "server")))
        .isEqualTo(Duration.ofDays(10).toSeconds());
    assertThat(value(ClusterGauge.LAST_SUCCESSFUL_BACKUP_AGE_SECONDS, Map.of())).isEqualTo(3600);
    assertThat(value(ClusterGauge.BACKUP_SCHEDULE_INTERVAL_SECONDS, Map.of())).isEqualTo(3600);

    clock.advance(Duration.ofMinutes(30));
    assertThat(value(ClusterGauge.LAST_SUCCESSFUL_BACKUP_AGE_SECONDS, Map.of())).isEqualTo(5400);
    assertThat(value(ClusterGauge.CERTIFICATE_EXPIRY_SECONDS, Map.of("certificate", "server")))
        .isEqualTo(Duration.ofDays(10).minusMinutes(30).toSeconds());
  }

  @Test
  void theNoSpaceAlarmAndAStalledRolloutAreReadFromTheConditionsReasons() {
    EtcdCluster cluster = cluster("d");
    EtcdClusterStatus alarmed = status(member("d-0", "1", true, false));
    alarmed.setConditions(List.of(
        new ConditionBuilder().withType("Available").withStatus("False").withReason("NoSpace").build(),
        new ConditionBuilder().withType("Progressing").withStatus("False").withReason("RolloutStalled").build()));
    metrics.observed(cluster, alarmed);
    assertThat(value(ClusterGauge.NOSPACE_ALARM, Map.of())).isEqualTo(1);
    assertThat(value(ClusterGauge.ROLLOUT_STALLED, Map.of())).isEqualTo(1);
    assertThat(value(ClusterGauge.CONDITION, Map.of("type", "Available"))).isZero();

    EtcdClusterStatus recovered = status(member("d-0", "1", true, false));
    recovered.setConditions(List.of(
        new ConditionBuilder().withType("Available").withStatus("True").withReason("QuorumHealthy").build(),
        new ConditionBuilder().withType("Progressing").withStatus("False").withReason("Reconciled").build()));
    metrics.observed(cluster, recovered);
    assertThat(value(ClusterGauge.NOSPACE_ALARM, Map.of())).isZero();
    assertThat(value(ClusterGauge.ROLLOUT_STALLED, Map.of())).isZero();
    assertThat(value(ClusterGauge.CONDITION, Map.of("type", "Available"))).isEqualTo(1);
  }

  @Test
  void aMemberOrConditionThatIsGoneTakesItsSeriesWithIt() {
    EtcdCluster cluster = cluster("b");
    metrics.observed(cluster, status(member("b-0", "1", true, false), member("b-1", "2", false, false)));
    assertThat(registry.find(ClusterGauge.MEMBER_DB_SIZE_BYTES.prometheusName()).gauges()).hasSize(2);

    metrics.observed(cluster, status(member("b-0", "1", true, false)));
    assertThat(registry.find(ClusterGauge.MEMBER_DB_SIZE_BYTES.prometheusName()).gauges())
        .extracting(g -> g.getId().getTag("member")).containsExactly("b-0");
    assertThat(value(ClusterGauge.MEMBERS, Map.of())).isEqualTo(1);
  }

  @Test
  void leaderChangesCountEachNewLeaderSeenNotTheFirstNorATimeWithout() {
    EtcdCluster cluster = cluster("c");
    metrics.observed(cluster, status(member("c-0", "1", true, false), member("c-1", "2", false, false)));
    metrics.observed(cluster, status(member("c-0", "1", false, false), member("c-1", "2", false, false)));
    metrics.observed(cluster, status(member("c-0", "1", false, false), member("c-1", "2", true, false)));
    metrics.observed(cluster, status(member("c-0", "1", false, false), member("c-1", "2", true, false)));
    // The same name under a new member ID: the replaced member leads now.
    metrics.observed(cluster, status(member("c-0", "1", false, false), member("c-1", "9", true, false)));
    assertThat(registry.get(ClusterMetrics.LEADER_CHANGES).counter().count()).isEqualTo(2);
  }

  @Test
  void aDeletedClusterLeavesNoSeriesAndOthersKeepTheirs() {
    EventCounters events = new EventCounters(registry);
    EtcdCluster gone = cluster("gone");
    EtcdCluster kept = cluster("kept");
    metrics.observed(gone, status(member("gone-0", "1", true, false)));
    metrics.observed(kept, status(member("kept-0", "1", true, false)));
    events.recorded(gone, EventRecorder.Type.Normal, "MemberRestarted");

    metrics.deleted(gone);

    assertThat(registry.getMeters()).noneMatch(m -> "gone".equals(m.getId().getTag("cluster")));
    assertThat(registry.getMeters()).anyMatch(m -> "kept".equals(m.getId().getTag("cluster")));
    metrics.observed(gone, status(member("gone-0", "1", true, false)));
    assertThat(registry.find(ClusterGauge.MEMBERS.prometheusName()).tag("cluster", "gone").gauge())
        .as("a cluster of the same name made again starts afresh").isNotNull();
  }

  private double value(ClusterGauge gauge, Map<String, String> extra) {
    var search = registry.find(gauge.prometheusName());
    for (var tag : extra.entrySet()) {
      search = search.tag(tag.getKey(), tag.getValue());
    }
    return search.gauge().value();
  }

  private static EtcdCluster cluster(String name) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.getMetadata().setName(name);
    cluster.getMetadata().setNamespace("ns");
    cluster.setSpec(new EtcdClusterSpec());
    return cluster;
  }

  private static EtcdClusterStatus status(MemberStatus... members) {
    EtcdClusterStatus status = new EtcdClusterStatus();
    status.setMembers(List.of(members));
    return status;
  }

  private static MemberStatus member(String name, String id, boolean leader, boolean learner) {
    MemberStatus member = new MemberStatus();
    member.setName(name);
    member.setId(id);
    member.setLeader(leader);
    member.setLearner(learner);
    member.setHealthy(true);
    member.setDbSize(Long.parseLong(id) * 1000);
    member.setDbSizeInUse(Long.parseLong(id) * 500);
    return member;
  }
}
