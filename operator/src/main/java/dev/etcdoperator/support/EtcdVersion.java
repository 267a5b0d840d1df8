package dev.etcdoperator.support;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An etcd release version (major.minor.patch), as in spec.version and as etcd reports it. */
public record EtcdVersion(int major, int minor, int patch) implements Comparable<EtcdVersion> {
  private static final Pattern FORMAT = Pattern.compile("^v?(\\d+)\\.(\\d+)\\.(\\d+)$");
  private static final Comparator<EtcdVersion> ORDER = Comparator.comparingInt(EtcdVersion::major)
      .thenComparingInt(EtcdVersion::minor).thenComparingInt(EtcdVersion::patch);

  /** The minors this operator knows how to run; flags, probes and tools differ between them. */
  public static final EtcdVersion OLDEST_SUPPORTED = new EtcdVersion(3, 4, 0);
  public static final EtcdVersion NEWEST_SUPPORTED_MINOR = new EtcdVersion(3, 7, 0);

  public static Optional<EtcdVersion> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new EtcdVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
          Integer.parseInt(m.group(3))));
    } catch (NumberFormatException e) {
      return Optional.empty(); // a component beyond int range is no etcd version
    }
  }

  /**
   * Why this release must not run, when it is one etcd withdrew: 3.5.0 to 3.5.2 could leave members with different
   * data after a crash (etcd's 3.5 data inconsistency issue, fixed in 3.5.3).
   */
  public Optional<String> withdrawn() {
    return isMinor(3, 5) && patch <= 2
        ? Optional.of("etcd " + this + " can leave members with different data after a crash (fixed in "
            + "3.5.3): use 3.5.3 or newer")
        : Optional.empty();
  }

  public boolean isSupported() {
    return compareTo(OLDEST_SUPPORTED) >= 0
        && (major < NEWEST_SUPPORTED_MINOR.major
            || (major == NEWEST_SUPPORTED_MINOR.major && minor <= NEWEST_SUPPORTED_MINOR.minor));
  }

  public boolean isMinor(int major, int minor) {
    return this.major == major && this.minor == minor;
  }

  public boolean atLeast(int major, int minor, int patch) {
    return compareTo(new EtcdVersion(major, minor, patch)) >= 0;
  }

  @Override
  public int compareTo(EtcdVersion other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
