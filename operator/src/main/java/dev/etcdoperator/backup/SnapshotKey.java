package dev.etcdoperator.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * Object keys of snapshots: {@code [<prefix>/]<namespace>/<cluster>/<UTC time>-rev<revision>-<backup>.db}. Sorted
 * by time within a cluster's folder, readable in a bucket listing, and unique per EtcdBackup.
 */
final class SnapshotKey {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);

  private SnapshotKey() {}

  /** The folder of one cluster's snapshots, ending with a slash. */
  static String folder(String prefix, String namespace, String cluster) {
    return (prefix == null || prefix.isEmpty() ? "" : prefix + "/") + namespace + "/" + cluster + "/";
  }

  static String of(String prefix, String namespace, String cluster, Instant time, long revision, String backup) {
    return folder(prefix, namespace, cluster) + TIME.format(time) + "-rev" + revision + "-" + backup + ".db";
  }

  /** Whether {@code key} is one of the named backup's (any attempt of it) in the cluster's folder. */
  static boolean belongsTo(String key, String folder, String backup) {
    return key.startsWith(folder) && key.substring(folder.length())
        .matches("\\d{8}T\\d{6}Z-rev\\d+-" + Pattern.quote(backup) + "\\.db");
  }
}
