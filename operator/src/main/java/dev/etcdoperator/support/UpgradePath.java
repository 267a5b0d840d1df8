package dev.etcdoperator.support;

import java.util.Map;
import java.util.Optional;

/**
 * The version changes etcd supports (its upgrade and downgrade guides): any patch within a minor; the next minor
 * from at least the patch level its guide names; from 3.6 on, the previous minor through etcd's downgrade API; never
 * a skipped minor, and never back from 3.5 to 3.4 (3.5 has no downgrade support).
 */
public final class UpgradePath {
  /**
   * The lowest version a cluster must run before moving to a minor, by that minor, where etcd's upgrade guide names
   * one. The one table to update when etcd moves a floor (as of 2026-12: "Upgrade etcd from v3.5 to v3.6" asks for
   * every member on 3.5.32 or later, having asked for 3.5.20 and then 3.5.26; "from v3.6 to v3.7" for 3.6.11). The
   * CRD's CEL rules on spec.version repeat these floors; CustomResourceDefinitionTest keeps them in step.
   */
  public static final Map<String, EtcdVersion> MINIMUM_BEFORE = Map.of(
      "3.6", new EtcdVersion(3, 5, 32),
      "3.7", new EtcdVersion(3, 6, 11));

  private UpgradePath() {}

  /** Why moving a cluster that runs {@code running} to {@code target} is not supported; empty when it is. */
  public static Optional<String> problem(EtcdVersion running, EtcdVersion target) {
    if (target.major() != running.major()) {
      return Optional.of("spec.version " + target + " is another major version than the cluster runs (" + running
          + "): etcd moves one minor version at a time");
    }
    if (target.minor() < running.minor() - 1) {
      return Optional.of("spec.version " + target + " would downgrade the cluster from " + running + " by more than "
          + "one minor version: etcd goes back one minor version at a time; move to " + running.major() + "."
          + (running.minor() - 1) + " first");
    }
    if (target.minor() < running.minor() && !running.atLeast(3, 6, 0)) {
      return Optional.of("spec.version " + target + " would downgrade the cluster from " + running
          + ": etcd can go back a minor version only from 3.6 on (its downgrade API), so " + running.major() + "."
          + running.minor() + " cannot return to " + target.major() + "." + target.minor() + " (patch versions "
          + "within " + running.major() + "." + running.minor() + " are fine); restore a snapshot taken on "
          + target.major() + "." + target.minor() + " into a new cluster instead");
    }
    if (target.minor() > running.minor() + 1) {
      return Optional.of("spec.version " + target + " skips a minor version: the cluster runs " + running
          + ", and etcd upgrades one minor version at a time; move to " + running.major() + "."
          + (running.minor() + 1) + " first");
    }
    EtcdVersion minimum = MINIMUM_BEFORE.get(target.major() + "." + target.minor());
    if (target.minor() == running.minor() + 1 && minimum != null && running.compareTo(minimum) < 0) {
      return Optional.of("spec.version " + target + ": etcd's upgrade guide requires every member on " + minimum
          + " or later before moving to " + target.major() + "." + target.minor() + "; the cluster runs " + running
          + ", upgrade to the latest " + running.major() + "." + running.minor() + " patch first");
    }
    return Optional.empty();
  }

  /** Whether moving from {@code running} to {@code target} goes back a minor version (etcd 3.6+'s downgrade). */
  public static boolean isMinorDowngrade(EtcdVersion running, EtcdVersion target) {
    return target.major() == running.major() && target.minor() < running.minor();
  }

  /** Whether moving from {@code running} to {@code target} crosses a minor version upwards. */
  public static boolean isMinorUpgrade(EtcdVersion running, EtcdVersion target) {
    return target.major() == running.major() && target.minor() > running.minor();
  }
}
