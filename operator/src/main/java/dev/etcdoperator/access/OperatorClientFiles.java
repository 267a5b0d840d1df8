package dev.etcdoperator.access;

import dev.etcdoperator.etcd.EtcdTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * The operator's client certificate per cluster, as the files jetcd reads. Each version goes to a directory named
 * after its content, so a renewed certificate yields new paths and therefore a new connection; older versions are
 * removed. Files are readable by the operator only.
 */
public final class OperatorClientFiles {
  private final Path baseDir;

  public OperatorClientFiles(Path baseDir) {
    this.baseDir = baseDir;
  }

  public EtcdTls write(String namespace, String cluster, ClientPems pems) {
    Path clusterDir = baseDir.resolve(namespace).resolve(cluster);
    Path dir = clusterDir.resolve(fingerprint(pems));
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(clusterDir);
        Path staging = Files.createTempDirectory(clusterDir, ".staging",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        writePrivate(staging.resolve("ca.crt"), pems.caPem());
        writePrivate(staging.resolve("tls.crt"), pems.certificatePem());
        writePrivate(staging.resolve("tls.key"), pems.privateKeyPem());
        Files.move(staging, dir);
        removeOtherVersions(clusterDir, dir);
      }
      return new EtcdTls(dir.resolve("ca.crt"), dir.resolve("tls.crt"), dir.resolve("tls.key"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the operator's client certificate for " + namespace + "/"
          + cluster + " under " + baseDir, e);
    }
  }

  private static void writePrivate(Path file, String text) throws IOException {
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private static void removeOtherVersions(Path clusterDir, Path keep) throws IOException {
    try (Stream<Path> versions = Files.list(clusterDir)) {
      for (Path old : versions.filter(p -> !p.equals(keep)).toList()) {
        try (Stream<Path> files = Files.walk(old)) {
          for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(f);
          }
        }
      }
    }
  }

  private static String fingerprint(ClientPems pems) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(pems.caPem().getBytes(StandardCharsets.UTF_8));
      digest.update(pems.certificatePem().getBytes(StandardCharsets.UTF_8));
      digest.update(pems.privateKeyPem().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest(), 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
