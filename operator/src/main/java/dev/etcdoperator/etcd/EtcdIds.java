package dev.etcdoperator.etcd;

/**
 * etcd member and cluster ids are unsigned 64-bit numbers that etcd itself always prints in hex
 * ({@code etcdctl member list}, server logs). We print them the same way so they can be grepped across both.
 */
public final class EtcdIds {

  private EtcdIds() {
  }

  /** Lower-case hex without padding, exactly as etcd prints ids (e.g. {@code 8e9e05c52164694d}). */
  public static String toHex(long id) {
    return Long.toHexString(id);
  }

  /** Inverse of {@link #toHex(long)}; accepts the full unsigned range. */
  public static long parseHex(String hex) {
    try {
      return Long.parseUnsignedLong(hex, 16);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an etcd id (hex): '" + hex + "'", e);
    }
  }
}
