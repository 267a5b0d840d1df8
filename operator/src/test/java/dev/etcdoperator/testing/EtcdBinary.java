package dev.etcdoperator.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.stream.Stream;

/** Finds the etcd executable; a missing binary is an error with install instructions, never a skipped test. */
final class EtcdBinary {
  static final String NOT_FOUND = "etcd binary not found on PATH: install it with "
      + "'apt-get install -y etcd-server etcd-client' (Debian) or set -Detcd.binary=...";

  private EtcdBinary() {
  }

  /**
   * The binary from the builder, else {@code -Detcd.binary} ({@link EtcdProcessCluster#BINARY_PROPERTY}), else
   * {@code etcd} on PATH.
   */
  static String resolve(String configured) {
    String wanted = configured != null ? configured
        : System.getProperty(EtcdProcessCluster.BINARY_PROPERTY, "etcd");
    if (wanted.contains(File.separator)) {
      Path path = Path.of(wanted);
      if (Files.isRegularFile(path) && Files.isExecutable(path)) {
        return path.toAbsolutePath().toString();
      }
      throw new IllegalStateException(NOT_FOUND + " (no executable file at " + path + ")");
    }
    String pathEnv = Objects.requireNonNullElse(System.getenv("PATH"), "");
    return Stream.of(pathEnv.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, wanted))
        .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
        .findFirst()
        .map(Path::toString)
        .orElseThrow(() -> new IllegalStateException(NOT_FOUND + " (looked for '" + wanted + "')"));
  }
}
