package dev.etcdoperator.testing;

import dev.etcdoperator.support.EtcdVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The real etcd releases tests can run: the system's own {@code etcd} (Debian bookworm's 3.4.23) and those
 * {@code scripts/fetch-etcd.sh} unpacked into the releases directory ({@code -Detcd.releases.dir}, by default
 * {@code ~/.cache/etcd-operator/etcd}, one {@code <version>/usr/bin/etcd} each). The build runs the script before
 * the tests, so a missing release is an error naming the script, never a skipped test.
 */
public final class EtcdReleases {
  /** The releases the build fetches; tests may count on them. */
  public static final List<EtcdVersion> FETCHED = List.of(EtcdVersion.parse("3.5.16").orElseThrow(),
      EtcdVersion.parse("3.5.30").orElseThrow());
  static final String DIR_PROPERTY = "etcd.releases.dir";

  /** An etcd release on this machine: its version and its binaries' directory. */
  public record Release(EtcdVersion version, Path bin) {
    public String etcd() {
      return bin.resolve("etcd").toString();
    }

    public String etcdctl() {
      return bin.resolve("etcdctl").toString();
    }

    /** etcdutl (3.5+); empty for 3.4, whose snapshot restore is {@code etcdctl snapshot restore}. */
    public Optional<String> etcdutl() {
      Path utl = bin.resolve("etcdutl");
      return Files.isExecutable(utl) ? Optional.of(utl.toString()) : Optional.empty();
    }

    @Override
    public String toString() {
      return version.toString();
    }
  }

  private final Map<EtcdVersion, Release> byVersion;

  private EtcdReleases(Map<EtcdVersion, Release> byVersion) {
    this.byVersion = byVersion;
  }

  /** The releases on this machine: the system's etcd and every fetched one. */
  public static EtcdReleases available() {
    Map<EtcdVersion, Release> found = new TreeMap<>();
    system().ifPresent(r -> found.put(r.version(), r));
    Path dir = directory();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> entries = Files.list(dir)) {
        entries.filter(p -> Files.isExecutable(p.resolve("usr/bin/etcd"))).forEach(p -> EtcdVersion
            .parse(p.getFileName().toString()).ifPresent(v -> found.put(v, new Release(v, p.resolve("usr/bin")))));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new EtcdReleases(found);
  }

  static Path directory() {
    return Path.of(System.getProperty(DIR_PROPERTY,
        Path.of(System.getProperty("user.home"), ".cache", "etcd-operator", "etcd").toString()));
  }

  /** Every release, oldest first. */
  public List<Release> all() {
    return List.copyOf(byVersion.values());
  }

  /** This exact release; an error naming how to fetch it when it is missing. */
  public Release exactly(String version) {
    EtcdVersion wanted = EtcdVersion.parse(version).orElseThrow();
    Release release = byVersion.get(wanted);
    if (release == null) {
      throw new IllegalStateException("etcd " + version + " is not on this machine: " + fetchHint());
    }
    return release;
  }

  /** The exact release, else the newest patch of the same minor; empty when no release of that minor is here. */
  public Optional<Release> closestTo(EtcdVersion wanted) {
    return Optional.ofNullable(byVersion.get(wanted)).or(() -> byVersion.values().stream()
        .filter(r -> r.version().major() == wanted.major() && r.version().minor() == wanted.minor())
        .max(Comparator.comparing(Release::version)));
  }

  /** The newest patch of each minor here, oldest minor first: what component tests run against. */
  public List<Release> newestOfEachMinor() {
    return new ArrayList<>(byVersion.values().stream().collect(Collectors.toMap(
        r -> r.version().major() * 1000 + r.version().minor(), r -> r, (a, b) -> b, TreeMap::new)).values());
  }

  /** What to do when a release is missing. */
  public static String fetchHint() {
    return "the build fetches releases into " + directory() + " (run 'scripts/fetch-etcd.sh " + directory()
        + "'; it needs apt-get and Debian's package mirror)";
  }

  /** The etcd on PATH, asked for its version. */
  private static Optional<Release> system() {
    String etcd;
    try {
      etcd = EtcdBinary.resolve(null);
    } catch (IllegalStateException e) {
      return Optional.empty();
    }
    return versionOf(Path.of(etcd)).map(v -> new Release(v, Path.of(etcd).getParent()));
  }

  private static Optional<EtcdVersion> versionOf(Path etcd) {
    try {
      Process process = new ProcessBuilder(etcd.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes());
      process.waitFor(10, TimeUnit.SECONDS);
      return out.lines().filter(l -> l.startsWith("etcd Version:")).findFirst()
          .flatMap(l -> EtcdVersion.parse(l.substring("etcd Version:".length()).trim()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
