package dev.etcdoperator.etcd;

import java.net.URI;

/**
 * The member a snapshot is taken from, as it answered just before: every write up to {@code revision} is in a
 * snapshot taken after this answer.
 *
 * @param clusterId etcd's cluster ID, which a restored cluster will not have (a restore makes a new cluster)
 */
public record SnapshotSource(URI endpoint, long memberId, long clusterId, long revision, String etcdVersion) {
  public String clusterIdHex() {
    return EtcdIds.toHex(clusterId);
  }
}
