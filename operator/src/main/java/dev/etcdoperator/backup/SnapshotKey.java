package dev.etcdoperator.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Object keys of snapshots: {@code [<prefix>/]<namespace>/<cluster>/<UTC time>-<backup>.db}, the time the backup's
 * first attempt started. Sorted by time within a cluster's folder, readable in a bucket listing, and one per
 * EtcdBackup whatever the number of attempts.
 */
final class SnapshotKey {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);

  private SnapshotKey() {}

  /** The folder of one cluster's snapshots, ending with a slash. */
  static String folder(String prefix, String namespace, String cluster) {
    return (prefix == null || prefix.isEmpty() ? "" : prefix + "/") + namespace + "/" + cluster + "/";
  }

  static String of(String prefix, String namespace, String cluster, Instant started, String backup) {
    return folder(prefix, namespace, cluster) + TIME.format(started) + "-" + backup + ".db";
  }
}
