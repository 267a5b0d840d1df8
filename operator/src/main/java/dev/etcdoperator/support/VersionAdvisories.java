package dev.etcdoperator.support;

import java.util.List;
import java.util.Optional;

/**
 * What a user running an etcd release should know about it: its minor is out of support, or it lacks a security
 * fix a newer patch of its minor has. The one table to update when etcd announces either (as of 2026-12).
 */
public final class VersionAdvisories {
  /** Why a release deserves a warning, as a condition reason. */
  public static final String OUT_OF_SUPPORT = "OutOfSupport";
  public static final String SECURITY_FIX_MISSING = "SecurityFixMissing";

  /** One advisory: the releases it covers and what it says of them ({@code %s}: the version). */
  public record Advisory(String reason, int major, int minor, int fixedInPatch, String template) {
    boolean covers(EtcdVersion version) {
      return version.isMinor(major, minor) && (fixedInPatch < 0 || version.patch() < fixedInPatch);
    }

    public String message(EtcdVersion version) {
      return String.format(template, version);
    }
  }

  /** A minor out of support covers every patch ({@code fixedInPatch} -1); a security fix the patches before it. */
  public static final List<Advisory> ADVISORIES = List.of(
      new Advisory(OUT_OF_SUPPORT, 3, 4, -1, "etcd %s is a 3.4 release: 3.4 has been out of support since June "
          + "2026 and gets no security fixes; upgrade to 3.5 (3.5.32 or newer, which can then move to 3.6)"),
      new Advisory(SECURITY_FIX_MISSING, 3, 5, 30, "etcd %s lacks the fix for CVE-2026-44283, released in 3.5.30: "
          + "upgrade to 3.5.30 or newer"));

  private VersionAdvisories() {}

  /** The advisory that applies to {@code version}, the most severe (out of support) first; empty when none. */
  public static Optional<Advisory> of(EtcdVersion version) {
    return ADVISORIES.stream().filter(a -> a.covers(version)).findFirst();
  }
}
