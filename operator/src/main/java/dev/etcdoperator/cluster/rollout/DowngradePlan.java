package dev.etcdoperator.cluster.rollout;

import dev.etcdoperator.etcd.DowngradeStatus;
import dev.etcdoperator.support.EtcdVersion;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a minor downgrade (etcd 3.6+) needs before its first member restarts on the lower minor, by etcd's downgrade
 * guide: the downgrade validated and enabled in etcd, then every member's data migrated to the target's storage
 * version. The restarts themselves are the rollout's (leader last); etcd ends the downgrade by itself once every
 * member runs the target. Pure: the members' statuses in, the step out.
 */
public final class DowngradePlan {

  /** The next step of a downgrade. */
  public sealed interface Step {
    /** Ask etcd to validate and enable a downgrade to {@code minor} ("3.5"). */
    record Enable(String minor) implements Step {}

    /** Wait: etcd is on its way (the storage migration), or a member did not answer. */
    record Await(String message) implements Step {}

    /** etcd is in a state this downgrade cannot go on from, said why and what to do. */
    record Refuse(String message) implements Step {}

    /** Restarts may go ahead. */
    record Proceed() implements Step {}
  }

  private DowngradePlan() {}

  /**
   * @param target the version the members are to run
   * @param members what each member reports, one status per member that answered
   * @param memberCount how many voting members the cluster has
   */
  public static Step next(EtcdVersion target, List<DowngradeStatus> members, int memberCount) {
    String minor = target.major() + "." + target.minor();
    if (members.size() < memberCount) {
      return new Step.Await("downgrading to " + minor + " waits until every member answers ("
          + members.size() + " of " + memberCount + " did)");
    }
    Optional<String> otherTarget = members.stream().filter(DowngradeStatus::downgradeEnabled)
        .flatMap(m -> m.downgradeTarget().stream()).filter(t -> !isOfMinor(t, minor)).findFirst();
    if (otherTarget.isPresent()) {
      return new Step.Refuse("etcd has a downgrade to " + otherTarget.get() + " enabled, not to " + minor
          + ": cancel it (etcdctl downgrade cancel) or set spec.version to a release of that minor");
    }
    if (members.stream().anyMatch(m -> isOfMinor(m.version(), minor))) {
      return new Step.Proceed(); // the first member already runs the target: the downgrade is under way
    }
    if (members.stream().noneMatch(DowngradeStatus::downgradeEnabled)) {
      return new Step.Enable(minor);
    }
    List<String> unmigrated = members.stream()
        .filter(m -> m.storageVersion().filter(v -> isOfMinor(v, minor)).isEmpty())
        .map(m -> m.endpoint().getHost() + " " + m.storageVersion().orElse("(none reported)")).toList();
    if (!unmigrated.isEmpty()) {
      return new Step.Await("downgrade to " + minor + " enabled; waiting until every member's data is migrated "
          + "to storage version " + minor + " (still on another: " + unmigrated.stream()
              .collect(Collectors.joining(", ")) + ")");
    }
    return new Step.Proceed();
  }

  /** "3.5.0" and "3.5.30" are of minor "3.5". */
  private static boolean isOfMinor(String version, String minor) {
    return version.equals(minor) || version.startsWith(minor + ".");
  }
}
