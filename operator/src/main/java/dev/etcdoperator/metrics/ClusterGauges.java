package dev.etcdoperator.metrics;

import static dev.etcdoperator.metrics.ClusterGauge.BACKUP_SCHEDULE_INTERVAL_SECONDS;
import static dev.etcdoperator.metrics.ClusterGauge.CERTIFICATE_EXPIRY_SECONDS;
import static dev.etcdoperator.metrics.ClusterGauge.CONDITION;
import static dev.etcdoperator.metrics.ClusterGauge.DESIRED_MEMBERS;
import static dev.etcdoperator.metrics.ClusterGauge.HAS_LEADER;
import static dev.etcdoperator.metrics.ClusterGauge.HEALTHY_MEMBERS;
import static dev.etcdoperator.metrics.ClusterGauge.LAST_DEFRAGMENTATION_TIMESTAMP_SECONDS;
import static dev.etcdoperator.metrics.ClusterGauge.LAST_SUCCESSFUL_BACKUP_AGE_SECONDS;
import static dev.etcdoperator.metrics.ClusterGauge.LEARNERS;
import static dev.etcdoperator.metrics.ClusterGauge.MEMBERS;
import static dev.etcdoperator.metrics.ClusterGauge.MEMBERSHIP_CHANGE_IN_PROGRESS;
import static dev.etcdoperator.metrics.ClusterGauge.MEMBER_DB_SIZE_BYTES;
import static dev.etcdoperator.metrics.ClusterGauge.MEMBER_DB_SIZE_IN_USE_BYTES;
import static dev.etcdoperator.metrics.ClusterGauge.NOSPACE_ALARM;
import static dev.etcdoperator.metrics.ClusterGauge.QUOTA_BACKEND_BYTES;
import static dev.etcdoperator.metrics.ClusterGauge.ROLLOUT_IN_PROGRESS;
import static dev.etcdoperator.metrics.ClusterGauge.ROLLOUT_STALLED;
import static dev.etcdoperator.metrics.ClusterGauge.VOTING_MEMBERS;

import dev.etcdoperator.api.v1alpha1.BackupScheduleStatus;
import dev.etcdoperator.api.v1alpha1.CertificateStatus;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.EtcdTuning;
import dev.etcdoperator.api.v1alpha1.MaintenanceStatus;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The gauge readings of one cluster, from its spec and the status the reconciler just computed. */
final class ClusterGauges {
  /** etcd's backend quota when the spec sets none (or 0, which etcd reads as its default too). */
  static final long ETCD_DEFAULT_QUOTA_BYTES = 2L * 1024 * 1024 * 1024;

  private ClusterGauges() {}

  static List<GaugeReading> of(EtcdCluster cluster, EtcdClusterStatus status) {
    List<GaugeReading> readings = new ArrayList<>();
    List<MemberStatus> members = status.getMembers() == null ? List.of() : status.getMembers();
    readings.add(GaugeReading.of(DESIRED_MEMBERS,
        Objects.requireNonNullElse(cluster.getSpec().getReplicas(), 0)));
    readings.add(GaugeReading.of(MEMBERS, members.size()));
    readings.add(GaugeReading.of(VOTING_MEMBERS,
        members.stream().filter(m -> !Boolean.TRUE.equals(m.getLearner())).count()));
    readings.add(GaugeReading.of(HEALTHY_MEMBERS,
        members.stream().filter(m -> Boolean.TRUE.equals(m.getHealthy())).count()));
    readings.add(GaugeReading.of(LEARNERS, members.stream().filter(m -> Boolean.TRUE.equals(m.getLearner())).count()));
    readings.add(GaugeReading.of(HAS_LEADER, LeaderIdentity.of(status).isPresent()));
    readings.add(GaugeReading.of(QUOTA_BACKEND_BYTES, quotaBytes(cluster)));
    for (MemberStatus member : members) {
      if (member.getName() == null) {
        continue; // a member that has not started yet has no name to label it with
      }
      Optional.ofNullable(member.getDbSize()).ifPresent(size ->
          readings.add(new GaugeReading(MEMBER_DB_SIZE_BYTES, member.getName(), new GaugeReading.Fixed(size))));
      Optional.ofNullable(member.getDbSizeInUse()).ifPresent(size -> readings.add(
          new GaugeReading(MEMBER_DB_SIZE_IN_USE_BYTES, member.getName(), new GaugeReading.Fixed(size))));
    }
    for (CertificateStatus certificate : Objects.requireNonNullElse(status.getCertificates(),
        List.<CertificateStatus>of())) {
      instant(certificate.getNotAfter()).filter(t -> certificate.getName() != null).ifPresent(notAfter ->
          readings.add(new GaugeReading(CERTIFICATE_EXPIRY_SECONDS, certificate.getName(),
              new GaugeReading.SecondsUntil(notAfter))));
    }
    backup(status.getBackup(), readings);
    Optional.ofNullable(status.getMaintenance()).map(MaintenanceStatus::getLastDefragmentation)
        .flatMap(d -> instant(d.getFinishedAt()))
        .ifPresent(t -> readings.add(GaugeReading.of(LAST_DEFRAGMENTATION_TIMESTAMP_SECONDS, t.getEpochSecond())));
    readings.add(GaugeReading.of(ROLLOUT_IN_PROGRESS, status.getRollout() != null));
    readings.add(GaugeReading.of(ROLLOUT_STALLED, hasReason(status, EtcdClusterConditions.PROGRESSING,
        Reason.ROLLOUT_STALLED)));
    readings.add(GaugeReading.of(MEMBERSHIP_CHANGE_IN_PROGRESS, status.getMembershipChange() != null));
    // While etcd's NOSPACE alarm is raised, Available (serving) or Degraded, and Progressing during the recovery,
    // carry the reason NoSpace; which of them does depends on what else is wrong, so any one tells.
    readings.add(GaugeReading.of(NOSPACE_ALARM, Objects.requireNonNullElse(status.getConditions(),
        List.<Condition>of()).stream().anyMatch(c -> Reason.NO_SPACE.equals(c.getReason()))));
    for (Condition condition : Objects.requireNonNullElse(status.getConditions(), List.<Condition>of())) {
      readings.add(new GaugeReading(CONDITION, condition.getType(),
          new GaugeReading.Fixed("True".equals(condition.getStatus()) ? 1 : 0)));
    }
    return readings;
  }

  static long quotaBytes(EtcdCluster cluster) {
    return Optional.ofNullable(cluster.getSpec().getEtcd()).map(EtcdTuning::getQuotaBackendBytes)
        .filter(q -> q > 0).orElse(ETCD_DEFAULT_QUOTA_BYTES);
  }

  private static void backup(BackupScheduleStatus backup, List<GaugeReading> readings) {
    if (backup == null) {
      return;
    }
    instant(backup.getLastSuccessfulTime()).ifPresent(t ->
        readings.add(new GaugeReading(LAST_SUCCESSFUL_BACKUP_AGE_SECONDS, null, new GaugeReading.SecondsSince(t))));
    Optional<Instant> last = instant(backup.getLastScheduleTime());
    Optional<Instant> next = instant(backup.getNextScheduleTime());
    if (last.isPresent() && next.isPresent() && next.get().isAfter(last.get())) {
      readings.add(GaugeReading.of(BACKUP_SCHEDULE_INTERVAL_SECONDS,
          Duration.between(last.get(), next.get()).toSeconds()));
    }
  }

  private static boolean hasReason(EtcdClusterStatus status, String type, String reason) {
    return condition(status, type).map(c -> reason.equals(c.getReason())).orElse(false);
  }

  private static Optional<Condition> condition(EtcdClusterStatus status, String type) {
    return Objects.requireNonNullElse(status.getConditions(), List.<Condition>of()).stream()
        .filter(c -> type.equals(c.getType())).findFirst();
  }

  /** An RFC 3339 time from status; a value that does not parse gives no series rather than a wrong one. */
  static Optional<Instant> instant(String rfc3339) {
    if (rfc3339 == null || rfc3339.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(rfc3339).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
