package dev.etcdoperator.api.v1alpha1;

/** Condition types and reasons of EtcdCluster: part of the API contract, so users can alert on them. */
public final class EtcdClusterConditions {
  private EtcdClusterConditions() {}

  public static final String READY = "Ready";
  public static final String AVAILABLE = "Available";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";
  public static final String CERTIFICATES_READY = "CertificatesReady";
  /** Whether the members' pods are spread so that losing any one node keeps a quorum. */
  public static final String MEMBERS_SPREAD = "MembersSpread";
  /**
   * Whether the etcd release the members run is supported and has the security fixes known to the operator; False
   * with reason OutOfSupport or SecurityFixMissing (the operator's VersionAdvisories), and a Warning Event.
   */
  public static final String VERSION_SUPPORTED = "VersionSupported";
  /**
   * Present with spec.maintenance.defragmentation (or a run asked for by annotation): True while a run is under way
   * (reason Defragmenting, or DefragmentationFailed while a failed member is retried, or a Defragmentation-WaitsFor
   * reason while it is held); False between runs, with reason NotDue (when the next comes) or NothingToReclaim (the
   * last scheduled run was skipped), or a DefragmentationWaitsFor reason when a due run is held before it starts.
   */
  public static final String DEFRAGMENTING = "Defragmenting";
  /** Present with spec.backup once a scheduled backup has finished: whether the newest finished one succeeded. */
  public static final String BACKUP_READY = "BackupReady";
  /** Present with spec.monitoring.podMonitor: whether the PodMonitor of the members exists. */
  public static final String MONITORING_READY = "MonitoringReady";

  /** Reasons, CamelCase as Kubernetes conventions ask. */
  public static final class Reason {
    private Reason() {}

    public static final String ALL_MEMBERS_HEALTHY = "AllMembersHealthy";
    public static final String POD_MONITOR_CREATED = "PodMonitorCreated";
    /** The API server has no monitoring.coreos.com/v1 PodMonitor (the Prometheus Operator is not installed). */
    public static final String POD_MONITOR_CRD_MISSING = "PodMonitorCRDMissing";
    public static final String POD_MONITOR_REJECTED = "PodMonitorRejected";
    public static final String SUPPORTED_VERSION = "SupportedVersion";
    public static final String NODE_LOSS_TOLERATED = "NodeLossTolerated";
    public static final String MEMBERS_SHARE_A_NODE = "MembersShareANode";
    public static final String QUORUM_HEALTHY = "QuorumHealthy";
    public static final String MEMBERS_UNHEALTHY = "MembersUnhealthy";
    public static final String QUORUM_LOST = "QuorumLost";
    public static final String BOOTSTRAPPING = "Bootstrapping";
    public static final String CREATING_RESOURCES = "CreatingResources";
    public static final String UPDATING_RESOURCES = "UpdatingResources";
    public static final String WAITING_FOR_PODS = "WaitingForPods";
    public static final String RECONCILED = "Reconciled";
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String PAUSED = "Paused";
    public static final String ETCD_UNREACHABLE = "EtcdUnreachable";
    public static final String AS_EXPECTED = "AsExpected";
    public static final String APPLY_REJECTED = "ApplyRejected";
    public static final String CLUSTER_FORMED = "ClusterFormed";
    public static final String EXPANDING_STORAGE = "ExpandingStorage";
    public static final String CERTIFICATES_NOT_READY = "CertificatesNotReady";
    public static final String SCALING_OUT = "ScalingOut";
    public static final String SCALING_IN = "ScalingIn";
    public static final String REPLACING_MEMBER = "ReplacingMember";
    public static final String MEMBERSHIP_CHANGE_BLOCKED = "MembershipChangeBlocked";
    public static final String ROLLING_OUT = "RollingOut";
    public static final String ROLLOUT_STALLED = "RolloutStalled";
    public static final String UPGRADE_SNAPSHOT_FAILED = "UpgradeSnapshotFailed";
    /** A minor downgrade etcd refused, or found in a state it cannot go on from (another downgrade enabled). */
    public static final String DOWNGRADE_BLOCKED = "DowngradeBlocked";
    public static final String VERSION_MISMATCH = "VersionMismatch";
    public static final String LAST_BACKUP_SUCCEEDED = "LastBackupSucceeded";
    public static final String LAST_BACKUP_FAILED = "LastBackupFailed";
    public static final String SCHEDULE_FAILED = "ScheduleFailed";
    /** etcd raised NOSPACE: the backend reached its quota; reads work, writes are refused. */
    public static final String NO_SPACE = "NoSpace";
    public static final String DEFRAGMENTING = "Defragmenting";
    public static final String DEFRAGMENTATION_FAILED = "DefragmentationFailed";
    public static final String DEFRAGMENTATION_WAITS_FOR_CHANGE = "DefragmentationWaitsForChange";
    public static final String DEFRAGMENTATION_WAITS_FOR_HEALTH = "DefragmentationWaitsForHealth";
    public static final String NOT_DUE = "NotDue";
    public static final String NOTHING_TO_RECLAIM = "NothingToReclaim";
    /** etcd raised CORRUPT: a member's data differs from the others'. */
    public static final String CORRUPT = "Corrupt";
    public static final String RESTORING = "Restoring";
    public static final String RESTORE_FAILED = "RestoreFailed";
  }
}
