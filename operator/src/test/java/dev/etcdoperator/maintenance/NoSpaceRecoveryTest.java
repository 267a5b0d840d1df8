package dev.etcdoperator.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.maintenance.NoSpaceRecovery.Attempt;
import dev.etcdoperator.maintenance.NoSpaceRecovery.Input;
import dev.etcdoperator.maintenance.NoSpaceRecovery.Step;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** NOSPACE recovery, step by step: compact, defragment (leader last), disarm or say the data fills the quota. */
class NoSpaceRecoveryTest {
  private static final Instant NOW = Instant.parse("2026-12-04T04:00:00Z");
  private static final long QUOTA = 100_000_000L;
  private static final List<String> ALL = List.of("main-0", "main-1", "main-2");

  private static List<MemberUsage> members(long size) {
    return List.of(new MemberUsage("main-0", 10, false, true, size, size / 2),
        new MemberUsage("main-1", 11, false, true, size, size / 2),
        new MemberUsage("main-2", 12, false, true, size, size / 2),
        new MemberUsage("main-3", 13, true, true, size, size / 2));
  }

  private static Step next(boolean alarm, long size, Optional<Attempt> attempt, Optional<Instant> lastEnded) {
    return NoSpaceRecovery.next(new Input(alarm, QUOTA, NoSpaceRecovery.DEFAULT_DISARM_BELOW_PERCENT, members(size),
        Optional.of(11L), attempt, lastEnded, NOW));
  }

  @Test
  void withoutTheAlarmNothingHappens() {
    assertThat(next(false, QUOTA, Optional.empty(), Optional.empty())).isEqualTo(new Step.Nothing());
  }

  @Test
  void anAttemptCompactsThenDefragmentsFollowersThenTheLeaderAfterAMoveThenDisarms() {
    assertThat(next(true, QUOTA, Optional.empty(), Optional.empty())).isEqualTo(new Step.Start());
    assertThat(next(true, QUOTA, attempt(false, List.of()), Optional.empty())).isEqualTo(new Step.Compact());
    assertThat(next(true, QUOTA, attempt(true, List.of()), Optional.empty())).isEqualTo(new Step.Defragment("main-0"));
    assertThat(next(true, QUOTA, attempt(true, List.of("main-0")), Optional.empty()))
        .isEqualTo(new Step.Defragment("main-2"));
    assertThat(next(true, QUOTA, attempt(true, List.of("main-0", "main-2")), Optional.empty()))
        .isEqualTo(new Step.MoveLeader("main-1", "main-0", 10));
    assertThat(next(true, 40_000_000L, attempt(true, ALL), Optional.empty())).isEqualTo(new Step.Disarm());
  }

  @Test
  void liveDataOverTheShareKeepsTheAlarmAndSaysWhatToDo() {
    assertThat(next(true, 90_000_000L, attempt(true, ALL), Optional.empty())).isEqualTo(new Step.DataFillsQuota(
        "NOSPACE stays: after compaction and defragmentation the database is still at or over 80% of the "
            + "100000000-byte quota (main-0 90000000 bytes, main-1 90000000 bytes, main-2 90000000 bytes): the live "
            + "data fills it. Raise spec.etcd.quotaBackendBytes (the members restart one at a time) or delete data "
            + "(deletes still work), then the next attempt disarms"));
  }

  @Test
  void attemptsAreThrottledNeverALoop() {
    assertThat(next(true, QUOTA, Optional.empty(), Optional.of(NOW.minusSeconds(60)))).isEqualTo(new Step.Throttled(
        NOW.plusSeconds(540), "NOSPACE: the last recovery attempt ended at 2026-12-04T03:59:00Z with the alarm still "
            + "on; the next is due at 2026-12-04T04:09:00Z"));
    assertThat(next(true, QUOTA, Optional.empty(), Optional.of(NOW.minus(NoSpaceRecovery.ATTEMPT_INTERVAL))))
        .isEqualTo(new Step.Start());
  }

  private static Optional<Attempt> attempt(boolean compacted, List<String> done) {
    return Optional.of(new Attempt(NOW.minusSeconds(30), compacted, done));
  }
}
