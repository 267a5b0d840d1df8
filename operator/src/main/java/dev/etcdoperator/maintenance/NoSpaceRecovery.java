package dev.etcdoperator.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The way out of etcd's NOSPACE alarm (the database reached its quota; reads work, writes are refused), one step
 * per reconcile: compact to the current revision, defragment every voting member (followers first, the leader last
 * after a move), then disarm, but only when every member's file is back under a share of the quota; otherwise the
 * live data itself fills the quota, the alarm stays and the message says what to do. Throttled: one attempt per
 * interval, never a loop. Pure.
 */
public final class NoSpaceRecovery {
  public static final Duration ATTEMPT_INTERVAL = Duration.ofMinutes(10);
  public static final int DEFAULT_DISARM_BELOW_PERCENT = 80;

  /** An attempt under way, as the status records it. */
  public record Attempt(Instant startedAt, boolean compacted, List<String> defragmented) {}

  /**
   * @param quotaBytes the members' backend quota (spec.etcd.quotaBackendBytes, else etcd's default)
   * @param lastAttemptEnded when the previous attempt ended, if one did
   */
  public record Input(boolean noSpaceAlarm, long quotaBytes, int disarmBelowPercent, List<MemberUsage> members,
      Optional<Long> leaderId, Optional<Attempt> attempt, Optional<Instant> lastAttemptEnded, Instant now) {}

  /** The next step. */
  public sealed interface Step {
    record Nothing() implements Step {}

    /** The alarm is on, and the last attempt was too recent to try again. */
    record Throttled(Instant until, String message) implements Step {}

    record Start() implements Step {}

    record Compact() implements Step {}

    record MoveLeader(String from, String to, long toId) implements Step {}

    record Defragment(String member) implements Step {}

    record Disarm() implements Step {}

    /** Compaction and defragmentation did not bring the members under the share: the data fills the quota. */
    record DataFillsQuota(String message) implements Step {}
  }

  private NoSpaceRecovery() {}

  public static Step next(Input in) {
    if (!in.noSpaceAlarm()) {
      return new Step.Nothing();
    }
    if (in.attempt().isEmpty()) {
      Optional<Instant> retryAt = in.lastAttemptEnded().map(t -> t.plus(ATTEMPT_INTERVAL))
          .filter(in.now()::isBefore);
      if (retryAt.isPresent()) {
        return new Step.Throttled(retryAt.get(), "NOSPACE: the last recovery attempt ended at "
            + in.lastAttemptEnded().get() + " with the alarm still on; the next is due at " + retryAt.get());
      }
      return new Step.Start();
    }
    Attempt attempt = in.attempt().get();
    if (!attempt.compacted()) {
      return new Step.Compact();
    }
    List<MemberUsage> voters = in.members().stream().filter(m -> !m.learner()).toList();
    List<MemberUsage> remaining = voters.stream().filter(m -> !attempt.defragmented().contains(m.name())).toList();
    if (!remaining.isEmpty()) {
      return switch (LeaderLast.next(remaining, voters, in.leaderId(), attempt.defragmented())) {
        case LeaderLast.Turn.Go go -> new Step.Defragment(go.member().name());
        case LeaderLast.Turn.HandOver handOver -> new Step.MoveLeader(handOver.from().name(), handOver.to().name(),
            handOver.to().id());
      };
    }
    long limit = in.quotaBytes() * in.disarmBelowPercent() / 100;
    List<String> over = voters.stream().filter(m -> m.dbSizeBytes() >= limit)
        .map(m -> m.name() + " " + m.dbSizeBytes() + " bytes").toList();
    if (over.isEmpty()) {
      return new Step.Disarm();
    }
    return new Step.DataFillsQuota("NOSPACE stays: after compaction and defragmentation the database is still at or "
        + "over " + in.disarmBelowPercent() + "% of the " + in.quotaBytes() + "-byte quota (" + String.join(", ", over)
        + "): the live data fills it. Raise spec.etcd.quotaBackendBytes (the members restart one at a time) or "
        + "delete data (deletes still work), then the next attempt disarms");
  }
}
