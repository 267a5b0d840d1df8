package dev.etcdoperator.objectstore;

/**
 * User metadata keys on the snapshot objects EtcdBackup writes. A restore reads the SHA-256 from them when nothing
 * else names it; the others say where the snapshot came from.
 */
/** ({@code x-amz-meta-<key>} on the wire.) */
public final class SnapshotMetadata {
  public static final String SHA256 = "sha256";
  public static final String SIZE = "size-bytes";
  public static final String REVISION = "etcd-revision";
  public static final String VERSION = "etcd-version";
  public static final String CLUSTER_ID = "etcd-cluster-id";
  public static final String SOURCE = "etcd-cluster";

  private SnapshotMetadata() {}
}
