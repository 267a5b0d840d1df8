package dev.etcdoperator.metrics;

import java.util.Optional;

/**
 * Every gauge exported per EtcdCluster, with its Prometheus name, help text and the label it adds to
 * {@code namespace} and {@code cluster} (one series per member, certificate or condition type), if any. Names start
 * with {@code etcdoperator_} so they never mix with etcd's own {@code etcd_*} series.
 */
public enum ClusterGauge {
  DESIRED_MEMBERS("etcdoperator_cluster_desired_members", "Members the spec asks for (spec.replicas).", null),
  MEMBERS("etcdoperator_cluster_members", "Members etcd reports, learners included.", null),
  VOTING_MEMBERS("etcdoperator_cluster_voting_members", "Members that vote (not learners).", null),
  HEALTHY_MEMBERS("etcdoperator_cluster_healthy_members", "Members that answered the operator's health check.",
      null),
  LEARNERS("etcdoperator_cluster_learners", "Members that are learners (joining, not yet promoted).", null),
  HAS_LEADER("etcdoperator_cluster_has_leader", "1 when a member reports being the leader, else 0.", null),
  QUOTA_BACKEND_BYTES("etcdoperator_cluster_quota_backend_bytes",
      "Backend quota of each member (spec.etcd.quotaBackendBytes, else etcd's default of 2 GiB).", null),
  MEMBER_DB_SIZE_BYTES("etcdoperator_cluster_member_db_size_bytes", "Size of a member's backend database file.",
      "member"),
  MEMBER_DB_SIZE_IN_USE_BYTES("etcdoperator_cluster_member_db_size_in_use_bytes",
      "Bytes of a member's backend database in use; the rest is reclaimed by defragmentation.", "member"),
  CERTIFICATE_EXPIRY_SECONDS("etcdoperator_cluster_certificate_expiry_seconds",
      "Seconds until a certificate of the cluster expires (negative once expired).", "certificate"),
  LAST_SUCCESSFUL_BACKUP_AGE_SECONDS("etcdoperator_cluster_last_successful_backup_age_seconds",
      "Seconds since the newest complete scheduled backup completed; absent before the first one.", null),
  BACKUP_SCHEDULE_INTERVAL_SECONDS("etcdoperator_cluster_backup_schedule_interval_seconds",
      "Seconds between the last and the next scheduled backup time (spec.backup.schedule).", null),
  LAST_DEFRAGMENTATION_TIMESTAMP_SECONDS("etcdoperator_cluster_last_defragmentation_timestamp_seconds",
      "When the last defragmentation run finished (Unix time).", null),
  ROLLOUT_IN_PROGRESS("etcdoperator_cluster_rollout_in_progress",
      "1 while a changed pod template rolls out over the members, else 0.", null),
  ROLLOUT_STALLED("etcdoperator_cluster_rollout_stalled",
      "1 when the rollout stopped because a restarted member did not come back (Progressing RolloutStalled).", null),
  MEMBERSHIP_CHANGE_IN_PROGRESS("etcdoperator_cluster_membership_change_in_progress",
      "1 while a member is being added, promoted or removed, else 0.", null),
  NOSPACE_ALARM("etcdoperator_cluster_nospace_alarm",
      "1 while etcd's NOSPACE alarm is raised (a condition with reason NoSpace): writes are refused.", null),
  CONDITION("etcdoperator_cluster_condition", "A status condition of the cluster: 1 when True, 0 otherwise.",
      "type");

  private final String prometheusName;
  private final String help;
  private final String extraLabel;

  ClusterGauge(String prometheusName, String help, String extraLabel) {
    this.prometheusName = prometheusName;
    this.help = help;
    this.extraLabel = extraLabel;
  }

  public String prometheusName() {
    return prometheusName;
  }

  String help() {
    return help;
  }

  /** The label besides namespace and cluster, for gauges with one series per member, certificate or type. */
  public Optional<String> extraLabel() {
    return Optional.ofNullable(extraLabel);
  }
}
