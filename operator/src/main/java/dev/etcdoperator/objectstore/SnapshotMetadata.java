package dev.etcdoperator.objectstore;

/**
 * User metadata keys ({@code x-amz-meta-<key>} on the wire) on the snapshot objects EtcdBackup writes: where the
 * snapshot came from.
 */
public final class SnapshotMetadata {
  /**
   * The object's SHA-256, written by operators before 2026-12-05 (with a copy of the whole object in the store); a
   * restore still takes it as the checksum to expect when nothing else names one.
   */
  public static final String SHA256 = "sha256";
  public static final String REVISION = "etcd-revision";
  public static final String VERSION = "etcd-version";
  public static final String CLUSTER_ID = "etcd-cluster-id";
  public static final String SOURCE = "etcd-cluster";

  private SnapshotMetadata() {}
}
