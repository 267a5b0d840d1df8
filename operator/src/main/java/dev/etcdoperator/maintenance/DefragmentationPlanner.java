package dev.etcdoperator.maintenance;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.schedule.CronSchedule;
import dev.etcdoperator.schedule.ScheduledRuns;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When a defragmentation runs, and the next step of one under way (GUIDE §5 rules 8 and 9). A run starts at a
 * scheduled time, when a member crosses the fragmentation threshold, or on request; with both a schedule and a
 * threshold, a scheduled time runs only if some member crosses the threshold (a maintenance window that costs
 * nothing when there is nothing to reclaim). One member at a time, only while every voting member is healthy and
 * nothing else changes the cluster; learners never; followers first, the leader last and only after leadership moved
 * away; a pause after each member so that it catches up before the next goes. A run records which members it is
 * for and which are done, so an operator restarted midway resumes it and never defragments a member twice. Pure.
 */
public final class DefragmentationPlanner {
  /** How long a defragmented member gets to catch up before the next one goes. */
  public static final Duration PAUSE = Duration.ofSeconds(10);

  /** What starts a run: a schedule, a threshold (both the fragmented share and the reclaimable bytes), or both. */
  public record Policy(Optional<CronSchedule> schedule, Optional<Threshold> threshold) {}

  /** A member is worth defragmenting when at least this share of its file, and this many bytes, are free pages. */
  public record Threshold(int fragmentedPercent, long reclaimableBytes) {
    public static final Threshold DEFAULT = new Threshold(45, 100L * 1024 * 1024);

    boolean crossedBy(MemberUsage member) {
      return member.reclaimableBytes() >= reclaimableBytes && member.fragmentedPercent() >= fragmentedPercent;
    }
  }

  /** A run under way, as the status records it. */
  public record Run(Instant startedAt, String trigger, List<String> members, List<String> done,
      Optional<Instant> lastMemberFinishedAt) {}

  /**
   * @param busy what else changes the cluster now (a membership change, a rollout, a restore), if anything
   * @param lastScheduledSlot the last scheduled time already run (or when the schedule was set)
   * @param requested whether a run was asked for by annotation
   */
  public record Input(Policy policy, List<MemberUsage> members, Optional<Long> leaderId, Optional<String> busy,
      Optional<Run> run, Instant lastScheduledSlot, boolean requested, Instant now) {}

  /** The next step. */
  public sealed interface Step {
    /** Nothing is due. */
    record Idle() implements Step {}

    /** A run is due or under way but may not go on now; said why, tried again later. */
    record Hold(String reason, String message) implements Step {}

    /** Begin a run over these members (recorded before the first defragmentation). */
    record Start(String trigger, List<String> members) implements Step {}

    /** Hand leadership from the leader, the last member of the run, to a member already done. */
    record MoveLeader(String from, String to, long toId) implements Step {}

    /** Wait for the member defragmented last to catch up. */
    record Pause(Instant until) implements Step {}

    record Defragment(String member) implements Step {}

    /** Every member of the run is done. */
    record Finish() implements Step {}
  }

  private DefragmentationPlanner() {}

  public static Step next(Input in) {
    List<MemberUsage> voters = in.members().stream().filter(m -> !m.learner()).toList();
    if (in.run().isPresent()) {
      return continueRun(in, in.run().get(), voters);
    }
    Optional<String> trigger = trigger(in, voters);
    if (trigger.isEmpty()) {
      return new Step.Idle();
    }
    Optional<Step> held = held(in, voters);
    if (held.isPresent()) {
      return held.get();
    }
    boolean onlyFragmented = !in.requested() && in.policy().threshold().isPresent();
    List<String> members = voters.stream()
        .filter(m -> !onlyFragmented || in.policy().threshold().get().crossedBy(m)).map(MemberUsage::name).sorted()
        .toList();
    return new Step.Start(trigger.get(), members);
  }

  private static Optional<String> trigger(Input in, List<MemberUsage> voters) {
    if (in.requested()) {
      return Optional.of("requested by annotation");
    }
    Optional<Threshold> threshold = in.policy().threshold();
    Optional<String> over = threshold.flatMap(t -> voters.stream().filter(t::crossedBy).findFirst())
        .map(m -> m.name() + " has " + m.reclaimableBytes() + " reclaimable bytes (" + m.fragmentedPercent()
            + "% of its database)");
    if (in.policy().schedule().isPresent()) {
      Optional<Instant> slot = ScheduledRuns.due(in.policy().schedule().get(), in.lastScheduledSlot(), in.now());
      if (slot.isEmpty() || (threshold.isPresent() && over.isEmpty())) {
        return Optional.empty();
      }
      return Optional.of("scheduled at " + slot.get() + over.map(o -> ": " + o).orElse(""));
    }
    return over.map(o -> "threshold crossed: " + o);
  }

  private static Optional<Step> held(Input in, List<MemberUsage> voters) {
    if (in.busy().isPresent()) {
      return Optional.of(new Step.Hold(Reason.DEFRAGMENTATION_WAITS_FOR_CHANGE, "defragmentation waits: " + in.busy().get()));
    }
    List<String> unhealthy = voters.stream().filter(m -> !m.healthy()).map(MemberUsage::name).toList();
    if (!unhealthy.isEmpty()) {
      return Optional.of(new Step.Hold(Reason.DEFRAGMENTATION_WAITS_FOR_HEALTH, "defragmentation waits until every voting member is "
          + "healthy; not healthy: " + String.join(", ", unhealthy)));
    }
    return Optional.empty();
  }

  private static Step continueRun(Input in, Run run, List<MemberUsage> voters) {
    Optional<Step> held = held(in, voters);
    if (held.isPresent()) {
      return held.get();
    }
    List<MemberUsage> remaining = voters.stream()
        .filter(m -> run.members().contains(m.name()) && !run.done().contains(m.name())).toList();
    if (remaining.isEmpty()) {
      return new Step.Finish();
    }
    Optional<Instant> pauseEnds = run.lastMemberFinishedAt().map(t -> t.plus(PAUSE)).filter(in.now()::isBefore);
    if (pauseEnds.isPresent()) {
      return new Step.Pause(pauseEnds.get());
    }
    return switch (LeaderLast.next(remaining, voters, in.leaderId(), run.done())) {
      case LeaderLast.Turn.Go go -> new Step.Defragment(go.member().name());
      case LeaderLast.Turn.HandOver handOver -> new Step.MoveLeader(handOver.from().name(), handOver.to().name(),
          handOver.to().id());
    };
  }
}
