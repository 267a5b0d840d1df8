package dev.etcdoperator.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP connections a process holds open to etcd's client port (2379), read from {@code /proc}: its socket inodes
 * from {@code /proc/<pid>/fd}, matched against the established connections in {@code /proc/net/tcp} and
 * {@code tcp6} whose remote port is 2379.
 */
final class EtcdConnections {
  private static final String CLIENT_PORT_HEX = String.format("%04X", 2379);
  private static final String ESTABLISHED = "01";

  private EtcdConnections() {}

  static long heldBy(long pid) throws IOException {
    Set<String> sockets = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            sockets.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException closedMeanwhile) {
          // the descriptor was closed while listing: not a held connection
        }
      }
    }
    long count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      for (String line : Files.readAllLines(Path.of(table)).stream().skip(1).toList()) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
        if (f.length > 9 && f[2].endsWith(":" + CLIENT_PORT_HEX) && f[3].equals(ESTABLISHED)
            && sockets.contains(f[9])) {
          count++;
        }
      }
    }
    return count;
  }
}
