package dev.etcdoperator.api.v1alpha1;

/** Condition types and reasons of EtcdBackup: part of the API contract, so users can alert on them. */
public final class EtcdBackupConditions {
  private EtcdBackupConditions() {}

  public static final String PROGRESSING = "Progressing";
  public static final String COMPLETE = "Complete";
  public static final String FAILED = "Failed";

  /** Reasons. */
  public static final class Reason {
    private Reason() {}

    public static final String PENDING = "Pending";
    public static final String UPLOADING = "Uploading";
    public static final String RETRYING = "Retrying";
    public static final String WAITING_FOR_OTHER_BACKUP = "WaitingForOtherBackup";
    public static final String UPLOADED = "Uploaded";
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String CLUSTER_NOT_FOUND = "ClusterNotFound";
    public static final String CREDENTIALS_NOT_FOUND = "CredentialsNotFound";
    public static final String ETCD_UNAVAILABLE = "EtcdUnavailable";
    public static final String OBJECT_STORE_ERROR = "ObjectStoreError";
    public static final String SNAPSHOT_CORRUPT = "SnapshotCorrupt";
    public static final String CLUSTER_ID_MISMATCH = "ClusterIDMismatch";
    /** Anything else that stopped an attempt (an API server error, say): retried. */
    public static final String ATTEMPT_ERROR = "AttemptError";
    public static final String DONE = "Done";
  }
}
