package dev.etcdoperator.maintenance;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.MaintenanceSpec;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the Defragmenting condition says while no run is under way: when the next one comes and on what condition,
 * or why the last scheduled one was skipped (a schedule with a threshold skips a time when nothing is worth
 * reclaiming). Pure.
 */
public final class DefragmentationOutlook {
  private DefragmentationOutlook() {}

  /** The condition's reason ({@link Reason#NOT_DUE} or {@link Reason#NOTHING_TO_RECLAIM}) and message. */
  public record Idle(String reason, String message) {}

  /**
   * @param lastScheduledSlot the last scheduled time that came (run or skipped)
   * @param lastRunTrigger the trigger of the last run, finished or under way ("scheduled at ..." for a scheduled one)
   */
  public static Idle idle(DefragmentationPlanner.Policy policy, List<MemberUsage> members,
      Optional<Instant> lastScheduledSlot, Optional<String> lastRunTrigger, Instant now) {
    Optional<Instant> next = policy.schedule().flatMap(s -> s.nextAfter(now));
    String nextRun = next.map(t -> "next scheduled run at " + t).orElse("");
    Optional<String> threshold = policy.threshold().map(DefragmentationOutlook::describe);
    String most = mostReclaimable(members);
    Optional<Instant> skipped = lastScheduledSlot.filter(slot -> policy.threshold().isPresent()
        && policy.schedule().isPresent()
        && !lastRunTrigger.map(t -> t.startsWith("scheduled at " + slot)).orElse(false));
    if (skipped.isPresent()) {
      return new Idle(Reason.NOTHING_TO_RECLAIM, "the run scheduled at " + skipped.get() + " was skipped: no member "
          + "had " + threshold.orElseThrow() + "; " + most + "; " + nextRun);
    }
    if (policy.schedule().isPresent()) {
      return new Idle(Reason.NOT_DUE, nextRun + threshold.map(t -> ", which runs if a member has " + t + "; " + most)
          .orElse(""));
    }
    if (threshold.isPresent()) {
      return new Idle(Reason.NOT_DUE, "a run starts when a member has " + threshold.get() + "; " + most);
    }
    return new Idle(Reason.NOT_DUE, "no schedule or threshold: a run starts when asked for with the annotation "
        + MaintenanceSpec.DEFRAGMENT_ANNOTATION + "=now");
  }

  private static String describe(DefragmentationPlanner.Threshold threshold) {
    return threshold.fragmentedPercent() + "% of its database and " + mebibytes(threshold.reclaimableBytes())
        + " free to reclaim";
  }

  private static String mostReclaimable(List<MemberUsage> members) {
    return members.stream().filter(m -> !m.learner()).max(Comparator.comparingLong(MemberUsage::reclaimableBytes))
        .map(m -> "most now: " + m.name() + " with " + m.fragmentedPercent() + "% and "
            + mebibytes(m.reclaimableBytes()))
        .orElse("no member answered");
  }

  private static String mebibytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
